package dev.ordo.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.FeatureMetadata;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/**
 * The broker in a child JVM: it serves both group protocols, keeps records of any age, and closing it leaves
 * nothing behind.
 */
class EmbeddedKafkaTest {

    /**
     * Kafka's default retention (7 days of the records' own timestamps) emptied a topic of records stamped in
     * 2023 at the broker's first retention check, 30 s after it started: a test that ran then read nothing.
     * The check cannot be awaited here (every 5 minutes after the first), so the rule is read from the
     * topic's configuration.
     */
    @Test
    void aTopicOfTheBrokerDeletesNoRecordForItsAge() throws Exception {
        String topic = "kept-whatever-their-age";
        KafkaBroker.createTopic(topic, 1);
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (Admin admin = KafkaBroker.admin()) {
            Config config = admin.describeConfigs(List.of(resource))
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .get(resource);
            assertThat(config.get(TopicConfig.RETENTION_MS_CONFIG).value())
                    .as("retention.ms: -1 keeps records whatever their timestamps")
                    .isEqualTo("-1");
        }
    }

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
