package dev.ordo.log.consumer;

import dev.ordo.causal.HybridLogicalClock;
import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.Deserializer;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.engine.contract.TotalOrderContract;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The total order on the embedded engine. A data directory belongs to one process (its lock file), so the
 * replicas are consumers of distinct groups in this JVM, each with its own fetcher and handler thread.
 */
class EmbeddedTotalOrderTest extends TotalOrderContract {

    @TempDir
    Path data;

    private EmbeddedLog log;

    @BeforeEach
    void open() throws Exception {
        log = closeLater(EmbeddedLog.open(data)); // after the producers and consumers on it
    }

    @Override
    protected String createTopic(String name, int partitions) throws Exception {
        String topic = uniqueName(name);
        log.createTopic(topic, TopicSpec.partitions(partitions));
        return topic;
    }

    @Override
    protected void growTopic(String topic, int partitions) throws Exception {
        log.alterPartitions(topic, partitions);
    }

    @Override
    protected RecordProducer<String, String> producer(String topic, HybridLogicalClock clock, Duration interval) {
        return OrdoProducer.builder(log, topic, Serdes.string(), Serdes.string())
                .hybridClock(clock)
                .heartbeats(interval)
                .build();
    }

    @Override
    protected Replica startReplica(String topic, String group, Ordering ordering, int concurrency, Path orderFile)
            throws Exception {
        OrdoConsumer.Builder<String, String> builder = OrdoConsumer.builder(
                        log, topic, Serdes.string(), Serdes.string())
                .group(group)
                .ordering(ordering);
        if (ordering != Ordering.TOTAL) {
            builder.concurrency(concurrency);
        }
        return inThisJvm(builder, orderFile);
    }

    @Override
    protected <K, V> ConsumerBuilder<?, K, V> consumer(String topic, Deserializer<K> keys, Deserializer<V> values) {
        return OrdoConsumer.builder(log, topic, keys, values);
    }
}
