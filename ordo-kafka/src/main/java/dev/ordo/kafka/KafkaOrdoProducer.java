package dev.ordo.kafka;

import dev.ordo.engine.Acknowledgement;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends records to one Kafka topic with the embedded engine's producer API: {@link #send} returns
 * a future of the {@link Acknowledgement} (partition and offset). Idempotence is on and {@code acks}
 * is {@code all}, so retries never duplicate or reorder a partition's records; keys land on the
 * partition Kafka's default partitioner picks, which is byte for byte Ordo's
 * {@link dev.ordo.partition.Partitioner#kafkaDefault()}.
 *
 * <pre>{@code
 * try (KafkaOrdoProducer producer = KafkaOrdoProducer.builder("localhost:9092", "ledger").build()) {
 *     producer.send("ACC-1", "+500").join();
 * }
 * }</pre>
 *
 * Thread-safe.
 */
public final class KafkaOrdoProducer implements AutoCloseable {

    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;

    private KafkaOrdoProducer(Builder b) {
        this.topic = b.topic;
        Properties props = new Properties();
        props.putAll(b.overrides);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(b.linger.toMillis()));
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    public static Builder builder(String bootstrapServers, String topic) {
        return new Builder(bootstrapServers, topic);
    }

    /** Sends a record with a UTF-8 key (may be null) and value. */
    public CompletableFuture<Acknowledgement> send(String key, String value) {
        return send(key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends a record to the partition of its key; the future completes when the broker has it (acks=all). */
    public CompletableFuture<Acknowledgement> send(byte[] key, byte[] value) {
        CompletableFuture<Acknowledgement> ack = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
            if (error != null) {
                ack.completeExceptionally(error);
            } else {
                ack.complete(new Acknowledgement(metadata.topic(), metadata.partition(), metadata.offset()));
            }
        });
        return ack;
    }

    /** Waits until every record sent so far is acknowledged or failed. */
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }

    /** Configures a {@link KafkaOrdoProducer}. */
    public static final class Builder {
        private final String bootstrapServers;
        private final String topic;
        private Duration linger = Duration.ofMillis(5);
        private final Properties overrides = new Properties();

        private Builder(String bootstrapServers, String topic) {
            this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers must not be null");
            this.topic = Objects.requireNonNull(topic, "topic must not be null");
        }

        /** Kafka's {@code linger.ms} (default 5 ms, Kafka 4's default). */
        public Builder linger(Duration linger) {
            this.linger = dev.ordo.Arguments.nonNegative("linger", linger);
            return this;
        }

        /** Any other Kafka producer setting (idempotence and {@code acks=all} cannot be turned off). */
        public Builder property(String name, String value) {
            overrides.put(Objects.requireNonNull(name, "name must not be null"), Objects.requireNonNull(value, "value must not be null"));
            return this;
        }

        public KafkaOrdoProducer build() {
            return new KafkaOrdoProducer(this);
        }
    }
}
