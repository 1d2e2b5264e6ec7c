package dev.ordo.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.kafka.EmbeddedKafka;
import dev.ordo.kafka.KafkaOrdoAdmin;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka examples run against a real broker inside the JVM (one for the class, a topic per test). */
class KafkaExamplesTest {

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void theKafkaQuickstartComputesEachAccountsBalanceThroughKafka() throws Exception {
        assertThat(KafkaQuickstart.balances(kafka.bootstrapServers())).isEqualTo(Map.of("ACC-1", 700L, "ACC-2", 50L));
    }

    @Test
    void aTopicChangesLiveThenMovesToKafkaWithItsProducerAndGroupRunning(@TempDir Path dir) throws Exception {
        assertThat(MigrationExample.balances(dir, kafka.bootstrapServers()))
                .isEqualTo(Map.of("ACC-1", 700L, "ACC-2", 50L));
    }

    @Test
    void aResequencerRestoresATellersOrderAcrossPartitions() throws Exception {
        try (KafkaOrdoAdmin admin = KafkaOrdoAdmin.create(kafka.bootstrapServers())) {
            admin.createTopic("ops", 4, (short) -1);
        }
        List<String> applied = StagesOnKafkaExample.inTellerOrder(kafka.bootstrapServers(), 2_000);
        assertThat(applied)
                .containsExactlyElementsOf(
                        IntStream.range(0, 2_000).mapToObj(i -> "op-" + i).toList());
    }

    @Test
    void keysKeepTheirOrderWhileTheTopicGrows() throws Exception {
        PartitionGrowthExample.Outcome outcome = PartitionGrowthExample.run(kafka.bootstrapServers());
        assertThat(outcome.perKey()).hasSize(100);
        outcome.perKey()
                .values()
                .forEach(values -> assertThat(values).isSorted().doesNotHaveDuplicates());
        assertThat(outcome.perKey().values().stream().mapToInt(List::size).sum())
                .isGreaterThanOrEqualTo(4_000);
        try (KafkaOrdoAdmin admin = KafkaOrdoAdmin.create(kafka.bootstrapServers())) {
            assertThat(admin.layoutHistory("orders")).containsExactly(4, 8);
        }
    }
}
