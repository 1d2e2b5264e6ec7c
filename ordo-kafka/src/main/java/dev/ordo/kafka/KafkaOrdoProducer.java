package dev.ordo.kafka;

import dev.ordo.engine.Acknowledgement;
import dev.ordo.engine.RecordProducer;
import dev.ordo.partition.Partitioner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends records to one Kafka topic with the embedded engine's producer API: {@link #send} returns
 * a future of the {@link Acknowledgement} (partition and offset). Idempotence is on and {@code acks}
 * is {@code all}, so retries never duplicate or reorder a partition's records; keys land on the
 * partition Kafka's default partitioner picks, which is byte for byte Ordo's
 * {@link dev.ordo.partition.Partitioner#kafkaDefault()}.
 *
 * <p><b>Partition growth.</b> The producer places keys itself, by the partition count it last took
 * up. When its metadata shows more partitions (Kafka refreshes it every {@code metadata.max.age.ms},
 * 5 minutes by default, or sooner on errors), it waits for its earlier sends to be acknowledged,
 * notes every partition's end offset and records the new count in the topic's partition history
 * ({@link OrdoKafkaAdmin#layoutHistory}); from then on a record whose key lived elsewhere under an
 * earlier count carries a {@link PartitionFence fence} that makes {@link KafkaOrdoConsumer} handle
 * it only after that partition's earlier records. A producer that starts on a topic which grew
 * before fences against everything written before it started. Records without a key are placed by
 * Kafka and never fenced.
 *
 * <pre>{@code
 * try (KafkaOrdoProducer producer = KafkaOrdoProducer.builder("localhost:9092", "ledger").build()) {
 *     producer.send("ACC-1", "+500").join();
 * }
 * }</pre>
 *
 * Thread-safe. Per-key order is kept for the records of one producer (as in Kafka), and across
 * producers for records sent before another producer took up a new partition count.
 */
public final class KafkaOrdoProducer implements RecordProducer {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaOrdoProducer.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String topic;
    private final Properties client;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Partitioner partitioner = Partitioner.kafkaDefault();
    private final LayoutHistory histories;
    /** Sends hold the read lock while placing and handing over a record; taking up a new count holds the write lock. */
    private final ReentrantReadWriteLock placing = new ReentrantReadWriteLock();

    private volatile PartitionLayout layout;

    private KafkaOrdoProducer(Builder b) {
        this.topic = b.topic;
        this.client = new Properties();
        client.putAll(OrdoKafkaAdmin.connection(b.bootstrapServers, b.overrides));
        this.histories = new LayoutHistory(client);
        Properties props = new Properties();
        props.putAll(b.overrides);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(b.linger.toMillis()));
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        try {
            this.layout = takeUp(producer.partitionsFor(topic).size(), List.of());
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
    }

    public static Builder builder(String bootstrapServers, String topic) {
        return new Builder(bootstrapServers, topic);
    }

    /** Sends a record to the partition of its key; the future completes when the broker has it (acks=all). */
    @Override
    public CompletableFuture<Acknowledgement> send(byte[] key, byte[] value) {
        return send(key, value, OrdoHeaders.none());
    }

    /** Sends a record with a UTF-8 key (may be null) and value, and what ordo-core's stages need ({@link OrdoHeaders}). */
    public CompletableFuture<Acknowledgement> send(String key, String value, OrdoHeaders ordo) {
        return send(
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8),
                ordo);
    }

    /**
     * Sends a record with its source, sequence number, vector clock and event time as
     * {@link OrdoHeaders} describes them (the event time becomes the record's timestamp).
     */
    public CompletableFuture<Acknowledgement> send(byte[] key, byte[] value, OrdoHeaders ordo) {
        Objects.requireNonNull(ordo, "ordo headers must not be null (OrdoHeaders.none() for none)");
        int partitions = producer.partitionsFor(topic).size();
        if (partitions != layout.partitions()) {
            growTo(partitions);
        }
        CompletableFuture<Acknowledgement> ack = new CompletableFuture<>();
        placing.readLock().lock();
        try {
            PartitionLayout current = layout;
            Integer partition = key == null ? null : partitioner.partition(key, current.partitions());
            Long timestamp = ordo.eventTime() == OrdoHeaders.NO_EVENT_TIME ? null : ordo.eventTime();
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, partition, timestamp, key, value);
            if (partition != null) {
                current.fence(key, partition, partitioner, record.headers());
            }
            ordo.writeTo(record.headers());
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    ack.completeExceptionally(error);
                } else {
                    ack.complete(new Acknowledgement(metadata.topic(), metadata.partition(), metadata.offset()));
                }
            });
        } finally {
            placing.readLock().unlock();
        }
        return ack;
    }

    /** The partition count keys are placed by right now. */
    public int partitions() {
        return layout.partitions();
    }

    @Override
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }

    /** Takes up a new partition count once the records placed by the old one are acknowledged. */
    private void growTo(int partitions) {
        placing.writeLock().lock();
        try {
            PartitionLayout old = layout;
            if (partitions == old.partitions()) {
                return; // another thread took it up meanwhile
            }
            if (partitions < old.partitions()) {
                throw new IllegalStateException("topic " + topic + " shrank from " + old.partitions() + " to "
                        + partitions + " partitions, which Kafka does not allow");
            }
            producer.flush(); // the old count's records are in place before the end offsets are read
            layout = takeUp(partitions, old.history());
            LOG.info(
                    "topic {} grew from {} to {} partitions: keys that moved are fenced behind their earlier records",
                    topic,
                    old.partitions(),
                    partitions);
        } finally {
            placing.writeLock().unlock();
        }
    }

    /**
     * The layout for {@code partitions}: the recorded history (extended by what this producer saw, and
     * by {@code partitions}), and the end offsets every fence of a moved key points to.
     */
    private PartitionLayout takeUp(int partitions, List<Integer> seen) {
        List<Integer> recorded = histories.read(topic);
        List<Integer> history = recorded.isEmpty() ? seen : recorded;
        if (history.isEmpty()) {
            OrdoKafkaAdmin.endOffsets(client, topic, partitions); // see below: only waits for every leader
            return PartitionLayout.initial(partitions); // never grew as far as anyone recorded
        }
        // Counts above the current one are a growth recorded but not (yet) carried out: not part of the past.
        List<Integer> extended = LayoutHistory.extended(
                history.stream().filter(c -> c < partitions).toList(), partitions);
        boolean growthUnderway = recorded.stream().anyMatch(c -> c > partitions);
        if (!extended.equals(recorded) && !growthUnderway) {
            histories.write(topic, extended);
        }
        // Reading the end offsets also waits until the leader of each new partition serves it: an idempotent
        // producer writing to a partition a moment too early can lose records (KAFKA-15591).
        return new PartitionLayout(partitions, extended, OrdoKafkaAdmin.endOffsets(client, topic, partitions));
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
            overrides.put(
                    Objects.requireNonNull(name, "name must not be null"),
                    Objects.requireNonNull(value, "value must not be null"));
            return this;
        }

        public KafkaOrdoProducer build() {
            return new KafkaOrdoProducer(this);
        }
    }
}
