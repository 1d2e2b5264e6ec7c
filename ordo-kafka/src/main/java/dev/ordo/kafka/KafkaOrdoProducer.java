package dev.ordo.kafka;

import dev.ordo.Arguments;
import dev.ordo.causal.HybridLogicalClock;
import dev.ordo.engine.Acknowledgement;
import dev.ordo.engine.Header;
import dev.ordo.engine.Headers;
import dev.ordo.engine.OrdoHeaders;
import dev.ordo.engine.OutgoingRecord;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.engine.Serializer;
import dev.ordo.engine.core.ProducerHeartbeats;
import dev.ordo.partition.Partitioner;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * ({@link KafkaOrdoAdmin#layoutHistory}); from then on a record whose key lived elsewhere under an
 * earlier count carries a {@link PartitionFence fence} that makes {@link KafkaOrdoConsumer} handle
 * it only after that partition's earlier records. A producer that starts on a topic which grew
 * before fences against everything written before it started. Records without a key are placed by
 * Kafka and never fenced.
 *
 * <pre>{@code
 * try (KafkaOrdoProducer<String, String> producer =
 *         KafkaOrdoProducer.builder("localhost:9092", "ledger", Serdes.string(), Serdes.string()).build()) {
 *     producer.send("ACC-1", "+500").join();
 * }
 * }</pre>
 *
 * <p>Kafka's own serializers work too: {@link KafkaSerdes#serializer}.
 *
 * Thread-safe. Per-key order is kept for the records of one producer (as in Kafka), and across
 * producers for records sent before another producer took up a new partition count.
 */
public final class KafkaOrdoProducer<K, V> implements RecordProducer<K, V> {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaOrdoProducer.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String topic;
    private final Serializer<K> keySerializer;
    private final Serializer<V> valueSerializer;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Properties client;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Partitioner partitioner = Partitioner.kafkaDefault();
    private final LayoutHistory histories;
    /** Null: records are not stamped. */
    private final HybridLogicalClock hybridClock;
    /** Null: no heartbeats. */
    private final ProducerHeartbeats heartbeats;
    /** Sends hold the read lock while placing and handing over a record; taking up a new count holds the write lock. */
    private final ReentrantReadWriteLock placing = new ReentrantReadWriteLock();

    private volatile PartitionLayout layout;

    private KafkaOrdoProducer(Builder<K, V> b) {
        this.topic = b.topic;
        this.keySerializer = b.keySerializer;
        this.valueSerializer = b.valueSerializer;
        this.hybridClock = b.hybridClock;
        this.client = new Properties();
        client.putAll(KafkaOrdoAdmin.connection(b.bootstrapServers, b.overrides));
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
        this.heartbeats = b.heartbeatInterval == null
                ? null
                : ProducerHeartbeats.start(
                        topic, hybridClock, b.heartbeatInterval, () -> layout.partitions(), (partition, headers) -> {
                            ProducerRecord<byte[], byte[]> heartbeat =
                                    new ProducerRecord<>(topic, partition, (Long) null, (byte[]) null, (byte[]) null);
                            headers.forEach(h -> heartbeat.headers().add(h.key(), h.value()));
                            producer.send(heartbeat);
                        });
    }

    /** A producer of raw bytes to {@code topic} on the cluster at {@code bootstrapServers}. */
    public static Builder<byte[], byte[]> builder(String bootstrapServers, String topic) {
        return new Builder<>(bootstrapServers, topic, Serdes.bytes(), Serdes.bytes());
    }

    /** A producer to {@code topic} of keys and values these serializers write. */
    public static <K, V> Builder<K, V> builder(
            String bootstrapServers, String topic, Serializer<K> keySerializer, Serializer<V> valueSerializer) {
        return new Builder<>(bootstrapServers, topic, keySerializer, valueSerializer);
    }

    @Override
    public String topic() {
        return topic;
    }

    /**
     * Sends a record to the partition of its key, with its headers and, if it has one, its timestamp
     * (the Kafka record's {@code CreateTime}); the future completes when the broker has it (acks=all).
     *
     * @throws IllegalStateException if the producer is closed
     */
    @Override
    public CompletableFuture<Acknowledgement> send(OutgoingRecord<K, V> outgoing) {
        Objects.requireNonNull(outgoing, "record must not be null");
        if (closed.get()) {
            throw new IllegalStateException("producer for topic '" + topic + "' is closed");
        }
        byte[] key = keySerializer.serialize(topic, outgoing.key());
        byte[] value = valueSerializer.serialize(topic, outgoing.value());
        int partitions = producer.partitionsFor(topic).size();
        if (partitions != layout.partitions()) {
            growTo(partitions);
        }
        CompletableFuture<Acknowledgement> ack = new CompletableFuture<>();
        placing.readLock().lock();
        try {
            PartitionLayout current = layout;
            Integer partition = key == null ? null : partitioner.partition(key, current.partitions());
            Long timestamp = outgoing.hasTimestamp() ? outgoing.timestamp() : null;
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, partition, timestamp, key, value);
            Headers headers =
                    hybridClock == null ? outgoing.headers() : OrdoHeaders.stamped(outgoing.headers(), hybridClock);
            for (Header h : headers) {
                record.headers().add(h.key(), h.value());
            }
            if (partition != null) {
                current.fence(key, partition, partitioner, record.headers());
            }
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    ack.completeExceptionally(error);
                } else {
                    if (heartbeats != null) {
                        heartbeats.sent(metadata.partition());
                    }
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

    /** Sends what is queued and waits for it (at most a minute). Idempotent. */
    @Override
    public void close() {
        close(Duration.ofMinutes(1));
    }

    @Override
    public void close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        if (closed.compareAndSet(false, true)) {
            if (heartbeats != null) {
                heartbeats.close();
            }
            producer.close(timeout);
        }
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
            KafkaOrdoAdmin.endOffsets(client, topic, partitions); // see below: only waits for every leader
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
        return new PartitionLayout(partitions, extended, KafkaOrdoAdmin.endOffsets(client, topic, partitions));
    }

    /** Configures a {@link KafkaOrdoProducer}. */
    public static final class Builder<K, V> {
        private final String bootstrapServers;
        private final String topic;
        private final Serializer<K> keySerializer;
        private final Serializer<V> valueSerializer;
        private Duration linger = Duration.ofMillis(5);
        private final Properties overrides = new Properties();
        private HybridLogicalClock hybridClock;
        private Duration heartbeatInterval;

        private Builder(String bootstrapServers, String topic, Serializer<K> keys, Serializer<V> values) {
            this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers must not be null");
            this.topic = Objects.requireNonNull(topic, "topic must not be null");
            this.keySerializer = Objects.requireNonNull(keys, "keySerializer must not be null");
            this.valueSerializer = Objects.requireNonNull(values, "valueSerializer must not be null");
        }

        /** Kafka's {@code linger.ms} (default 5 ms, Kafka 4's default). */
        public Builder<K, V> linger(Duration linger) {
            this.linger = Arguments.nonNegative("linger", linger);
            return this;
        }

        /**
         * Stamps every record with {@code clock.now()} in the {@link OrdoHeaders#HYBRID_TIMESTAMP} header when
         * it is sent (default: no stamp). Share the clock with the {@link dev.ordo.engine.HybridClockHandler}
         * of a consumer on the same machine, so that what is sent after handling a record sorts after it.
         */
        public Builder<K, V> hybridClock(HybridLogicalClock clock) {
            this.hybridClock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /**
         * Every {@code interval}, sends a heartbeat ({@link OrdoHeaders#heartbeat}: no key, no value) to each
         * partition this producer sent no record to in that interval, so consumers with a
         * with {@link dev.ordo.engine.Ordering#TOTAL} are not held back by idle partitions (default: none).
         * Needs a {@link #hybridClock}.
         */
        public Builder<K, V> heartbeats(Duration interval) {
            this.heartbeatInterval = Arguments.positive("heartbeats", interval);
            return this;
        }

        /** Any other Kafka producer setting (idempotence and {@code acks=all} cannot be turned off). */
        public Builder<K, V> property(String name, String value) {
            overrides.put(
                    Objects.requireNonNull(name, "name must not be null"),
                    Objects.requireNonNull(value, "value must not be null"));
            return this;
        }

        /** Kafka producer settings, as {@link #property} one by one. */
        public Builder<K, V> properties(Map<?, ?> properties) {
            Objects.requireNonNull(properties, "properties must not be null")
                    .forEach((name, value) -> property(String.valueOf(name), String.valueOf(value)));
            return this;
        }

        /** Connects to the cluster and reads the topic's partition history. */
        public KafkaOrdoProducer<K, V> build() {
            if (heartbeatInterval != null && hybridClock == null) {
                throw new IllegalStateException("heartbeats need a hybridClock: set hybridClock(clock) too");
            }
            return new KafkaOrdoProducer<>(this);
        }
    }
}
