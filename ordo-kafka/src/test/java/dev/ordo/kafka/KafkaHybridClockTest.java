package dev.ordo.kafka;

import dev.ordo.causal.HybridLogicalClock;
import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.Deserializer;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.engine.contract.HybridClockContract;
import org.junit.jupiter.api.BeforeAll;

/** The timestamp oracle on Apache Kafka (a real KRaft broker in a child JVM). */
class KafkaHybridClockTest extends HybridClockContract {

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
    protected RecordProducer<String, String> producer(String topic, HybridLogicalClock clock) {
        return KafkaOrdoProducer.builder(KafkaBroker.bootstrapServers(), topic, Serdes.string(), Serdes.string())
                .hybridClock(clock)
                .build();
    }

    @Override
    protected <K, V> ConsumerBuilder<?, K, V> consumer(String topic, Deserializer<K> keys, Deserializer<V> values) {
        return KafkaOrdoConsumer.builder(KafkaBroker.bootstrapServers(), topic, keys, values);
    }
}
