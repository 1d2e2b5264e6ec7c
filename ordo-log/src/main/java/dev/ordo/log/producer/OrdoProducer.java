package dev.ordo.log.producer;

import dev.ordo.Arguments;
import dev.ordo.OrdoInterruptedException;
import dev.ordo.OverloadedException;
import dev.ordo.causal.HybridLogicalClock;
import dev.ordo.engine.Acknowledgement;
import dev.ordo.engine.Headers;
import dev.ordo.engine.OrdoHeaders;
import dev.ordo.engine.OutgoingRecord;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.engine.Serializer;
import dev.ordo.engine.core.ProducerHeartbeats;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.storage.ProducerFencedException;
import dev.ordo.partition.Partitioner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends records to one topic of the embedded engine asynchronously, in batches, like Kafka's producer:
 * {@link #send} turns key and value into bytes with the producer's {@link Serializer}s, picks the
 * partition from the key bytes (by the topic's placement: Kafka's default partitioner unless the topic
 * was made otherwise, so keys land where Kafka clients would put them) and returns a future completed
 * with the partition and offset once the record is appended, durable per the topic's fsync policy. Batching grows with load by itself; {@link Builder#linger}
 * trades latency for larger batches on purpose.
 *
 * <p><b>Idempotence</b> (on by default): the producer has an id and an epoch and numbers its records
 * per partition; a batch retried after an I/O error is not written twice (also across an engine
 * restart, since the log remembers each producer's last batches). A producer built with a
 * {@link Builder#name name} gets that name's id with a new epoch, which fences the previous instance:
 * its later sends fail with {@link ProducerFencedException}.
 *
 * <p><b>Order</b>: records sent by one thread with the same key are appended in send order. After a
 * failure of an idempotent producer every later send fails too (the producer cannot know whether the
 * failed batch was written), so no later record overtakes a lost one; build a new producer.
 *
 * <p>Futures complete on the producer's sender thread: do not block in their callbacks (a {@code send}
 * from a callback waits for buffer space only that thread frees; with {@link Builder#maxBlock} it then
 * fails with {@link OverloadedException} instead of returning).
 *
 * <pre>{@code
 * try (OrdoProducer<String, String> producer =
 *         OrdoProducer.builder(log, "ledger", Serdes.string(), Serdes.string()).name("teller-1").build()) {
 *     producer.send("ACC-1", "+500").thenAccept(ack -> System.out.println(ack.offset()));
 * }   // close() sends what is queued and waits for it
 * }</pre>
 *
 * Thread-safe.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class OrdoProducer<K, V> implements RecordProducer<K, V> {

    /** Heap a queued record costs beyond its bytes, counted against {@link Builder#bufferBytes}. */
    static final int HEAP_OVERHEAD_PER_RECORD = BatchSender.HEAP_OVERHEAD_PER_RECORD;

    private final String topic;
    private final Serializer<K> keySerializer;
    private final Serializer<V> valueSerializer;
    private final BatchSender sender;
    /** Null: records are not stamped. */
    private final HybridLogicalClock hybridClock;
    /** Null: no heartbeats. */
    private final ProducerHeartbeats heartbeats;

    private final AtomicBoolean closed = new AtomicBoolean();

    private OrdoProducer(Builder<K, V> b) throws IOException {
        this.topic = b.topic;
        this.keySerializer = b.keySerializer;
        this.valueSerializer = b.valueSerializer;
        this.hybridClock = b.hybridClock;
        this.sender = new BatchSender(new BatchSender.Settings(
                b.log,
                b.topic,
                b.idempotent,
                b.name,
                b.partitioner,
                b.linger,
                b.batchBytes,
                b.bufferBytes,
                b.maxBlock));
        this.heartbeats = b.heartbeatInterval == null
                ? null
                : ProducerHeartbeats.start(
                        topic,
                        hybridClock,
                        b.heartbeatInterval,
                        () -> b.log.partitionCount(topic),
                        (partition, headers) ->
                                sender.send(partition, null, null, headers.toList(), System.currentTimeMillis()));
    }

    /** A builder for a producer of raw bytes to {@code topic} (which must exist). */
    public static Builder<byte[], byte[]> builder(EmbeddedLog log, String topic) {
        return new Builder<>(log, topic, Serdes.bytes(), Serdes.bytes());
    }

    /** A builder for a producer to {@code topic} (which must exist) of keys and values these serializers write. */
    public static <K, V> Builder<K, V> builder(
            EmbeddedLog log, String topic, Serializer<K> keySerializer, Serializer<V> valueSerializer) {
        return new Builder<>(log, topic, keySerializer, valueSerializer);
    }

    @Override
    public String topic() {
        return topic;
    }

    /**
     * Sends a record to the partition of its key, waiting up to {@link Builder#maxBlock} while the send
     * buffer is full.
     *
     * @throws IllegalStateException if the producer is closed
     * @throws IllegalArgumentException if the record is larger than the topic's batch limit or the send buffer
     * @throws OverloadedException if the buffer stayed full for {@code maxBlock}; nothing was queued
     * @throws OrdoInterruptedException if interrupted while waiting for buffer space (the flag set again)
     */
    @Override
    public CompletableFuture<Acknowledgement> send(OutgoingRecord<K, V> record) {
        Objects.requireNonNull(record, "record must not be null");
        return send(record.key(), record.value(), record.headers(), record.timestamp());
    }

    /** As {@link #send(OutgoingRecord)}, without an {@link OutgoingRecord} made per record to carry them. */
    @Override
    public CompletableFuture<Acknowledgement> send(K key, V value) {
        return send(key, value, Headers.empty(), OutgoingRecord.NO_TIMESTAMP);
    }

    private CompletableFuture<Acknowledgement> send(K key, V value, Headers headers, long timestamp) {
        if (closed.get()) {
            throw new IllegalStateException("producer for topic '" + topic + "' is closed");
        }
        byte[] keyBytes = keySerializer.serialize(topic, key);
        byte[] valueBytes = valueSerializer.serialize(topic, value);
        long stamp = timestamp != OutgoingRecord.NO_TIMESTAMP ? timestamp : System.currentTimeMillis();
        Headers stamped = hybridClock == null ? headers : OrdoHeaders.stamped(headers, hybridClock);
        CompletableFuture<Acknowledgement> ack = sender.send(keyBytes, valueBytes, stamped.toList(), stamp);
        if (heartbeats != null) {
            ack.thenAccept(sent -> heartbeats.sent(sent.partition()));
        }
        return ack;
    }

    @Override
    public void flush() {
        sender.flush();
    }

    /** The producer's id, or -1 when it is not idempotent. */
    public long producerId() {
        return sender.producerId();
    }

    /** The producer's epoch, or -1 when it is not idempotent. */
    public short epoch() {
        return sender.epoch();
    }

    /** Batches appended so far (fewer than records when batching works). */
    public long batchesWritten() {
        return sender.batchesWritten();
    }

    /** Records appended so far. */
    public long recordsWritten() {
        return sender.recordsWritten();
    }

    /** Bytes of the send buffer in use (for tests). */
    long bufferInUse() {
        return sender.bufferInUse();
    }

    /** Batch buffers allocated so far rather than reused (for tests). */
    long buffersAllocated() {
        return sender.buffersAllocated();
    }

    /** Sends everything queued and waits for it. Later sends throw {@link IllegalStateException}. Idempotent. */
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
            sender.close(timeout);
        }
    }

    /** Configures an {@link OrdoProducer}. */
    public static final class Builder<K, V> {
        private final EmbeddedLog log;
        private final String topic;
        private final Serializer<K> keySerializer;
        private final Serializer<V> valueSerializer;
        private boolean idempotent = true;
        private String name;
        private Duration linger = Duration.ZERO;
        private int batchBytes = 256 * 1024;
        private long bufferBytes = 32L * 1024 * 1024;
        private Duration maxBlock = Duration.ofSeconds(60);
        /** Null: the topic's placement. */
        private Partitioner partitioner;

        private HybridLogicalClock hybridClock;
        private Duration heartbeatInterval;

        private Builder(EmbeddedLog log, String topic, Serializer<K> keySerializer, Serializer<V> valueSerializer) {
            this.log = Objects.requireNonNull(log, "log must not be null");
            this.topic = Objects.requireNonNull(topic, "topic must not be null");
            this.keySerializer = Objects.requireNonNull(keySerializer, "keySerializer must not be null");
            this.valueSerializer = Objects.requireNonNull(valueSerializer, "valueSerializer must not be null");
        }

        /** Whether appends carry a producer id, epoch and sequence so retries are not duplicated (default true). */
        public Builder<K, V> idempotent(boolean idempotent) {
            this.idempotent = idempotent;
            return this;
        }

        /**
         * A stable identity: the producer gets this name's id with a new epoch, fencing any earlier
         * producer of the same name. Implies idempotence.
         */
        public Builder<K, V> name(String name) {
            if (name == null || !name.matches("[a-zA-Z0-9._-]{1,200}")) {
                throw new IllegalArgumentException(
                        "name must be 1-200 characters of [a-zA-Z0-9._-], was '" + name + "'");
            }
            this.name = name;
            this.idempotent = true;
            return this;
        }

        /**
         * How keys map to partitions (default: the topic's {@link dev.ordo.partition.Placement}, Kafka's
         * unless the topic was made otherwise). A topic refuses to change its partition count while a
         * producer with a partitioner of its own runs: the keys' order across the change could not be kept.
         */
        public Builder<K, V> partitioner(Partitioner partitioner) {
            this.partitioner = Objects.requireNonNull(partitioner, "partitioner must not be null");
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

        /** How long a record may wait for more to join its batch (default 0: batches form under load only). */
        public Builder<K, V> linger(Duration linger) {
            this.linger = Arguments.nonNegative("linger", linger);
            return this;
        }

        /** Largest batch in bytes (default 256 KiB, capped by the topic's batch limit). */
        public Builder<K, V> batchBytes(int batchBytes) {
            this.batchBytes = Arguments.atLeast("batchBytes", batchBytes, 1);
            return this;
        }

        /**
         * Heap held by records queued and not yet acknowledged, at most (default 32 MiB; each record
         * counts its key, value and headers plus about 64 bytes of objects); {@code send} waits beyond.
         * Besides, each partition's open batch may hold up to {@link #batchBytes} of buffer not yet
         * filled (a new batch starts at twice the size of the previous one), and buffers of written
         * batches are kept for reuse: up to 2 per partition and an eighth of this bound.
         */
        public Builder<K, V> bufferBytes(long bufferBytes) {
            this.bufferBytes = Arguments.atLeast("bufferBytes", bufferBytes, 1);
            return this;
        }

        /** How long {@code send} waits for buffer space before {@link OverloadedException} (default 60 s). */
        public Builder<K, V> maxBlock(Duration maxBlock) {
            this.maxBlock = Arguments.nonNegative("maxBlock", maxBlock);
            return this;
        }

        /**
         * Creates the producer and starts its sender thread.
         *
         * @throws IllegalArgumentException if the topic does not exist
         * @throws IllegalStateException if heartbeats are asked for without a hybrid clock
         * @throws UncheckedIOException if the producer's identity cannot be registered
         */
        public OrdoProducer<K, V> build() {
            if (heartbeatInterval != null && hybridClock == null) {
                throw new IllegalStateException("heartbeats need a hybridClock: set hybridClock(clock) too");
            }
            try {
                return new OrdoProducer<>(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start a producer for topic '" + topic + "'", e);
            }
        }
    }
}
