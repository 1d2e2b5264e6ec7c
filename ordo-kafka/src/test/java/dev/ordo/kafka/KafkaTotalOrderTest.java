package dev.ordo.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.ChildJvm;
import dev.ordo.causal.HybridLogicalClock;
import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.Deserializer;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.engine.contract.OrderRecorder;
import dev.ordo.engine.contract.TotalOrderContract;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;

/**
 * The total order on Apache Kafka (a real KRaft broker in a child JVM): each replica a consumer process of
 * its own, a child JVM running {@link TotalOrderReplica}.
 */
class KafkaTotalOrderTest extends TotalOrderContract {

    private static final Duration CHILD_WAIT = Duration.ofSeconds(45);

    /** Starts the broker outside the first test's time limit. */
    @BeforeAll
    static void startBroker() {
        KafkaBroker.bootstrapServers();
    }

    @Override
    protected String createTopic(String name, int partitions) throws Exception {
        String topic = uniqueName(name);
        KafkaBroker.createTopic(topic, partitions);
        return topic;
    }

    @Override
    protected void growTopic(String topic, int partitions) {
        try (KafkaOrdoAdmin admin = KafkaOrdoAdmin.create(KafkaBroker.bootstrapServers(), new Properties())) {
            admin.growPartitions(topic, partitions);
        }
    }

    @Override
    protected RecordProducer<String, String> producer(String topic, HybridLogicalClock clock, Duration interval) {
        return KafkaOrdoProducer.builder(KafkaBroker.bootstrapServers(), topic, Serdes.string(), Serdes.string())
                .hybridClock(clock)
                .heartbeats(interval)
                .build();
    }

    @Override
    protected Replica startReplica(String topic, String group, Ordering ordering, int concurrency, Path orderFile)
            throws IOException {
        ChildJvm child = ChildJvm.start(
                TotalOrderReplica.class,
                KafkaBroker.bootstrapServers(),
                topic,
                group,
                ordering.name(),
                Integer.toString(concurrency),
                orderFile.toString());
        return new Replica() {
            private boolean ready;

            @Override
            public void begin(boolean held) throws IOException {
                child.send(held ? "BEGIN HELD" : "BEGIN");
            }

            @Override
            public void release() throws IOException {
                child.send("RELEASE");
            }

            @Override
            public void awaitReady() throws IOException {
                if (!ready) {
                    child.awaitLine("READY", CHILD_WAIT);
                    ready = true;
                }
            }

            @Override
            public List<String> awaitOrder(int records) throws IOException {
                awaitReady();
                child.send("AWAIT " + records);
                assertThat(child.awaitLine("HANDLED", CHILD_WAIT)).isEqualTo("HANDLED " + records);
                return OrderRecorder.read(orderFile);
            }

            @Override
            public void close() throws IOException {
                child.close();
            }
        };
    }

    @Override
    protected <K, V> ConsumerBuilder<?, K, V> consumer(String topic, Deserializer<K> keys, Deserializer<V> values) {
        return KafkaOrdoConsumer.builder(KafkaBroker.bootstrapServers(), topic, keys, values)
                .property("metadata.max.age.ms", "500"); // sees a topic grow soon
    }
}
