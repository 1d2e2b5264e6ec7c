package dev.ordo.kafka;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka cluster (KRaft, one combined broker and controller) inside this JVM, on
 * an ephemeral port with its data in a temporary directory removed on {@link #close()}: to try Ordo
 * on Kafka with nothing installed ({@code ordo demo ledger --backend kafka}) and for tests. Built on
 * Kafka's test kit ({@code kafka-test-common-runtime}, an optional dependency of ordo-kafka: add it
 * to use this class). Not for production data.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** Formats and starts the broker and waits until it serves (about 2-3 s on first start). */
    public static EmbeddedKafka start() {
        try {
            KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                            .setCombined(true)
                            .setNumBrokerNodes(1)
                            .setNumControllerNodes(1)
                            .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                            .build())
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .build();
            try {
                kit.format();
                kit.startup();
                kit.waitForReadyBrokers();
            } catch (Exception e) {
                kit.close();
                throw e;
            }
            return new EmbeddedKafka(kit);
        } catch (Exception e) {
            throw new IllegalStateException("could not start the in-JVM Kafka broker", e);
        }
    }

    /** Where clients connect, e.g. {@code localhost:41234}. */
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Stops the broker and deletes its data. */
    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the in-JVM Kafka broker cleanly", e);
        }
    }
}
