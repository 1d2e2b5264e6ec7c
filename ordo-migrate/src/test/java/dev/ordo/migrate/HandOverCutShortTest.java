package dev.ordo.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.OrdoRecord;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.kafka.KafkaBroker;
import dev.ordo.kafka.KafkaOrdoConsumer;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hand-over starts the group's members on the target paused, with the fence committed ahead as their
 * offsets. When the old members cannot reach the fence, the new ones close having handled nothing, and
 * the offsets committed ahead must not count as the group's: a later move of the group replaces them, so
 * no record the old members left is skipped.
 */
class HandOverCutShortTest {

    private static final int RECORDS = 200;
    private static final String POISON = "k3";

    @TempDir
    Path dir;

    private final Set<String> handled = ConcurrentHashMap.newKeySet();
    private final List<String> handledByTheNewMembersWhilePaused = new CopyOnWriteArrayList<>();

    @Test
    void aHandOverCutShortHandlesNothingOnTheTargetAndTheNextMoveSkipsNothing() throws Exception {
        String topic = "cut-short";
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            log.createTopic(topic, TopicSpec.partitions(2));
            try (TopicMigration migration = TopicMigration.fromEmbedded(log, topic)
                    .toKafka(KafkaBroker.bootstrapServers())
                    .start()) {
                RecordProducer<String, String> producer = migration.producer(Serdes.string(), Serdes.string());
                for (int i = 0; i < RECORDS; i++) {
                    producer.send("k" + (i % 10), Integer.toString(i));
                }
                producer.flush();
                RecordConsumer old = OrdoConsumer.builder(log, topic, Serdes.string(), Serdes.string())
                        .group("balances")
                        .handler((OrdoRecord<String, String> r) -> {
                            if (r.key().equals(POISON) && Integer.parseInt(r.value()) >= RECORDS / 2) {
                                throw new IllegalStateException("poison"); // parks the key: the old tail stays
                            }
                            handled.add(r.value());
                        })
                        .start();
                await().atMost(Duration.ofSeconds(30)).until(() -> old.parked().size() == 1);
                assertThat(migration.awaitCopied(Duration.ofSeconds(30))).isTrue();
                migration.switchOver();
                producer.send("k0", Integer.toString(RECORDS)); // after the fence, on Kafka
                producer.close();

                assertThatThrownBy(() -> migration.handOver(
                                "balances", List.of(old), this::pausedWatcher, Duration.ofSeconds(2)))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("did not handle");
                assertThat(handledByTheNewMembersWhilePaused)
                        .as("closed before any resume")
                        .isEmpty();
                old.close(); // commits short of the fence: its parked key's records are not handled

                assertThat(migration.moveGroups())
                        .as("the offsets committed ahead are replaced")
                        .containsKey("balances");
                try (RecordConsumer onKafka = kafkaMember(topic)
                        .handler((OrdoRecord<String, String> r) -> handled.add(r.value()))
                        .start()) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() == RECORDS + 1);
                }
            }
        }
        for (int i = 0; i <= RECORDS; i++) {
            assertThat(handled).contains(Integer.toString(i));
        }
    }

    private ConsumerBuilder<?, String, String> pausedWatcher() {
        return kafkaMember("cut-short")
                .handler((OrdoRecord<String, String> r) -> handledByTheNewMembersWhilePaused.add(r.value()));
    }

    private static KafkaOrdoConsumer.Builder<String, String> kafkaMember(String topic) {
        return KafkaOrdoConsumer.builder(KafkaBroker.bootstrapServers(), topic, Serdes.string(), Serdes.string())
                .group("balances");
    }
}
