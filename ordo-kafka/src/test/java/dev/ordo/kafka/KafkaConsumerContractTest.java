package dev.ordo.kafka;

import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.Deserializer;
import dev.ordo.engine.Header;
import dev.ordo.engine.Headers;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.engine.contract.LiveChangeContract;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The consumer contract on Apache Kafka (a real KRaft broker in a child JVM), under the classic
 * consumer group protocol; {@link KafkaConsumerContractOnConsumerProtocolTest} runs it under KIP-848's.
 */
class KafkaConsumerContractTest extends LiveChangeContract {

    /** The consumer group protocol the suite's consumers use. */
    protected GroupProtocol groupProtocol() {
        return GroupProtocol.CLASSIC;
    }

    @Override
    protected String createTopic(String name, int partitions) throws Exception {
        String topic = uniqueName(name);
        KafkaBroker.createTopic(topic, partitions);
        return topic;
    }

    @Override
    protected RecordProducer<String, String> producer(String topic) {
        return KafkaOrdoProducer.builder(KafkaBroker.bootstrapServers(), topic, Serdes.string(), Serdes.string())
                .build();
    }

    @Override
    protected RecordProducer<byte[], byte[]> bytesProducer(String topic) {
        return KafkaOrdoProducer.builder(KafkaBroker.bootstrapServers(), topic, Serdes.bytes(), Serdes.bytes())
                .build();
    }

    @Override
    protected <K, V> ConsumerBuilder<?, K, V> consumer(String topic, Deserializer<K> keys, Deserializer<V> values) {
        return KafkaOrdoConsumer.builder(KafkaBroker.bootstrapServers(), topic, keys, values)
                .groupProtocol(groupProtocol());
    }

    @Override
    protected List<StoredRecord> readAll(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.bootstrapServers());
        List<StoredRecord> all = new ArrayList<>();
        try (KafkaConsumer<String, String> reader =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = reader.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            reader.assign(partitions);
            reader.seekToBeginning(partitions);
            long end = reader.endOffsets(partitions).values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (all.size() < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : reader.poll(Duration.ofMillis(100))) {
                    List<Header> headers = new ArrayList<>();
                    r.headers().forEach(h -> headers.add(new Header(h.key(), h.value())));
                    all.add(new StoredRecord(r.key(), r.value(), Headers.of(headers)));
                }
            }
        }
        return all;
    }

    @Override
    protected boolean exists(String topic) {
        try (KafkaOrdoAdmin admin = KafkaOrdoAdmin.create(KafkaBroker.bootstrapServers())) {
            return admin.exists(topic);
        }
    }
}
