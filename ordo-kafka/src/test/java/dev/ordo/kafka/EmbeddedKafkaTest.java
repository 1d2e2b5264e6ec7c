package dev.ordo.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.FeatureMetadata;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.junit.jupiter.api.Test;

/** The broker in a child JVM: it serves both group protocols, and closing it leaves nothing behind. */
class EmbeddedKafkaTest {

    @Test
    void aStartedBrokerServesTheConsumerGroupProtocolAndCloseEndsItsProcessAndDeletesItsData() throws Exception {
        long started = System.nanoTime();
        EmbeddedKafka kafka = EmbeddedKafka.start();
        long startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        System.err.println("embedded Kafka broker started in " + startMillis + " ms");
        ProcessHandle child = kafka.process();
        try {
            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (Admin admin = Admin.create(props)) {
                FeatureMetadata features =
                        admin.describeFeatures().featureMetadata().get(30, TimeUnit.SECONDS);
                FinalizedVersionRange groupVersion =
                        features.finalizedFeatures().get("group.version");
                assertThat(groupVersion)
                        .as("group.version is finalized, so KIP-848 members can join")
                        .isNotNull();
                assertThat(groupVersion.maxVersionLevel()).isGreaterThanOrEqualTo((short) 1);
            }
            assertThat(child.isAlive()).isTrue();
        } finally {
            kafka.close();
        }
        assertThat(child.isAlive()).as("the broker's JVM ended").isFalse();
        assertThat(Files.exists(kafka.directory())).as("its data deleted").isFalse();
        kafka.close(); // again: nothing to do
    }
}
