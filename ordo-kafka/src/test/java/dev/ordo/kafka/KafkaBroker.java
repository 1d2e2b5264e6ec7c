package dev.ordo.kafka;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;

/**
 * One real Kafka broker (KRaft, combined broker and controller, in a child JVM: {@link EmbeddedKafka}),
 * started on first use and shared by every test class of the module (and by the Kafka benchmark in
 * ordo-bench, through this module's test jar); it stops when the JVM exits.
 */
public final class KafkaBroker {

    private static EmbeddedKafka cluster;

    private KafkaBroker() {}

    /** The bootstrap servers of the shared broker, starting it if needed. */
    public static synchronized String bootstrapServers() {
        if (cluster == null) {
            cluster = EmbeddedKafka.start();
        }
        return cluster.bootstrapServers();
    }

    /** Creates a topic and waits until every partition has a leader (producing earlier can hang). */
    public static void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                TopicDescription d = admin.describeTopics(List.of(name))
                        .allTopicNames()
                        .get(30, TimeUnit.SECONDS)
                        .get(name);
                return d.partitions().size() == partitions
                        && d.partitions().stream().allMatch(p -> p.leader() != null);
            });
        }
    }

    /** The end offset of every partition of {@code topic}. */
    static Map<Integer, Long> endOffsets(String topic, int partitions) {
        return KafkaOrdoAdmin.endOffsets(
                KafkaOrdoAdmin.connection(bootstrapServers(), new Properties()), topic, partitions);
    }

    static Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return Admin.create(props);
    }
}
