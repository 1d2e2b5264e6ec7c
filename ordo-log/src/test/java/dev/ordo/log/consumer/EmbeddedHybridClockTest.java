package dev.ordo.log.consumer;

import dev.ordo.causal.HybridLogicalClock;
import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.Deserializer;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.engine.contract.HybridClockContract;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The timestamp oracle on the embedded engine. */
class EmbeddedHybridClockTest extends HybridClockContract {

    @TempDir
    Path data;

    private EmbeddedLog log;

    @BeforeEach
    void open() throws Exception {
        log = EmbeddedLog.open(data);
    }

    @AfterEach
    void closeLog() throws Exception {
        log.close();
    }

    @Override
    protected String createTopic(String name, int partitions) throws Exception {
        String topic = uniqueName(name);
        log.createTopic(topic, TopicSpec.partitions(partitions));
        return topic;
    }

    @Override
    protected RecordProducer<String, String> producer(String topic, HybridLogicalClock clock) {
        return OrdoProducer.builder(log, topic, Serdes.string(), Serdes.string())
                .hybridClock(clock)
                .build();
    }

    @Override
    protected <K, V> ConsumerBuilder<?, K, V> consumer(String topic, Deserializer<K> keys, Deserializer<V> values) {
        return OrdoConsumer.builder(log, topic, keys, values);
    }
}
