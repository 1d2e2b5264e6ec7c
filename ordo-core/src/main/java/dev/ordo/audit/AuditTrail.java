package dev.ordo.audit;

import dev.ordo.Arguments;
import dev.ordo.engine.Headers;
import dev.ordo.engine.OrdoHeaders;
import dev.ordo.engine.OrdoRecord;
import dev.ordo.engine.ParkedRecord;
import dev.ordo.engine.RecordHandler;
import dev.ordo.engine.Serializer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;

/**
 * A tamper-evident record of what a consumer handled, in the order it handled it: an append-only file
 * of entries (topic, partition, offset, key, source and sequence, the key's previous entry, time and
 * outcome), each carrying the hash of the one before, so that removing, inserting, reordering or
 * changing an entry breaks the chain where {@link AuditVerifier} (and {@code ordo audit verify}) finds it.
 * Wrap a consumer's handler, on either engine:
 *
 * <pre>{@code
 * try (AuditTrail trail = AuditTrail.open(Path.of("audit/balances.audit"))) {
 *     RecordConsumer consumer = OrdoConsumer.builder(log, "ledger", Serdes.string(), txnSerde)
 *             .group("balances")
 *             .handler(trail.audit(record -> ledger.apply(record.key(), record.value())))
 *             .start();
 *     ...
 *     consumer.close();                       // before the trail, so that every handling is recorded
 * }
 * }</pre>
 *
 * <p>Thread-safe: handlers on any number of threads append under one lock, each entry copied to the
 * file's memory-mapped tail before the handler returns, so a process crash loses none; when entries
 * reach the disk is the {@link AuditSync} (default {@link AuditSync#WRITE}: when the kernel writes them
 * back, or at {@link #force()}, a checkpoint or {@link #close()}). If the file cannot be written, the audited handler throws
 * {@link AuditException} for that record and every later one, so the consumer retries or parks them
 * rather than handling them unaudited. Opening an existing file continues its chain.
 */
public final class AuditTrail implements AutoCloseable {

    private final AuditWriter writer;
    private final Clock clock;
    private final Path file;
    /** The last topic and its bytes: a consumer's records name the same topic, mostly the same string. */
    private EncodedTopic lastTopic = new EncodedTopic("", new byte[0]);

    private AuditTrail(Path file, AuditWriter writer, Clock clock) {
        this.file = file;
        this.writer = writer;
        this.clock = clock;
    }

    /**
     * Opens {@code file} with the defaults ({@link AuditSync#WRITE}, no periodic checkpoints, 100,000
     * keys remembered): creates it, or continues its chain.
     *
     * @throws AuditException if the existing file's chain is broken before its last entry, or another trail holds it
     * @throws IllegalArgumentException if the file exists and is not an audit file
     */
    public static AuditTrail open(Path file) throws IOException {
        return builder(file).open();
    }

    /** A builder for a trail appending to {@code file}. */
    public static Builder builder(Path file) {
        return new Builder(file);
    }

    /**
     * The handler that runs {@code handler} and then appends an entry for the record: {@link AuditOutcome#HANDLED}
     * if it returned, {@link AuditOutcome#FAILED} with the exception's class if it threw (the exception then
     * goes on, unchanged). Keys are recorded as bytes: a {@code byte[]} key as it is, any other key as
     * its {@code toString()} in UTF-8.
     */
    public <K, V> RecordHandler<K, V> audit(RecordHandler<K, V> handler) {
        return decorate(handler, AuditTrail::keyBytes);
    }

    /** As {@link #audit(RecordHandler)}, recording each key as {@code keySerializer} turns it into bytes. */
    public <K, V> RecordHandler<K, V> audit(RecordHandler<K, V> handler, Serializer<K> keySerializer) {
        Objects.requireNonNull(keySerializer, "keySerializer must not be null");
        return decorate(handler, r -> keySerializer.serialize(r.topic(), r.key()));
    }

    private <K, V> RecordHandler<K, V> decorate(RecordHandler<K, V> handler, Function<OrdoRecord<K, V>, byte[]> key) {
        Objects.requireNonNull(handler, "handler must not be null");
        return new AuditedHandler<>(this, handler, key);
    }

    /**
     * Records that the application gave up on a parked record ({@link AuditOutcome#SKIPPED} with
     * {@code reason}); call it when {@code consumer.skip(parked, reason)} returned true. Its key is
     * recorded as the text {@link ParkedRecord#key()} gives.
     */
    public void skipped(ParkedRecord parked, String reason) {
        Objects.requireNonNull(parked, "parked must not be null");
        Objects.requireNonNull(reason, "reason must not be null");
        byte[] key = parked.key() == null ? null : parked.key().getBytes(StandardCharsets.UTF_8);
        append(AuditOutcome.SKIPPED, parked.topic(), parked.partition(), parked.offset(), key, null, -1, reason);
    }

    /** Appends the entry of one handling of {@code record}. */
    void append(OrdoRecord<?, ?> record, byte[] key, AuditOutcome outcome, String detail) {
        Headers headers = record.headers();
        byte[] source = null;
        long sequence = -1;
        if (!headers.isEmpty()) {
            source = headers.lastValue(OrdoHeaders.SOURCE);
            if (source != null && source.length > AuditFormat.MAX_TEXT_BYTES) {
                source = Arrays.copyOf(source, AuditFormat.MAX_TEXT_BYTES);
            }
            byte[] sequenceBytes = headers.lastValue(OrdoHeaders.SEQUENCE);
            if (sequenceBytes != null && sequenceBytes.length == Long.BYTES) {
                sequence = ByteBuffer.wrap(sequenceBytes).getLong();
            }
        }
        append(outcome, record.topic(), record.partition(), record.offset(), key, source, sequence, detail);
    }

    private void append(
            AuditOutcome outcome,
            String topic,
            int partition,
            long offset,
            byte[] key,
            byte[] source,
            long sequence,
            String detail) {
        if (key != null) {
            Arguments.atMost("audited key length", key.length, AuditFormat.MAX_KEY_BYTES);
        }
        writer.append(
                new AuditFormat.Pending(
                        clock.millis(),
                        outcome,
                        encoded(topic),
                        partition,
                        offset,
                        key,
                        source,
                        sequence,
                        AuditFormat.text(detail)),
                key);
    }

    /**
     * Forces every entry appended so far to the disk, records the chain's head in the side file
     * ({@code <file>.checkpoints}) and returns it, to be published where the file's writer cannot change it.
     */
    public AuditCheckpoint checkpoint() {
        return writer.checkpoint();
    }

    /** How many entries the chain holds. */
    public long entries() {
        return writer.entries();
    }

    /** The audit file. */
    public Path file() {
        return file;
    }

    /** Forces the file to the disk: the entries appended so far survive a power loss then. */
    public void force() {
        writer.force();
    }

    /**
     * Writes every entry to the file, forces and closes it, and deletes its tail; audited handlers throw
     * {@link IllegalStateException} afterwards. Close the consumer first. Idempotent.
     */
    @Override
    public void close() {
        writer.close();
    }

    /**
     * {@code topic} as the file holds it, encoded once while the topic stays the same. Handler threads
     * read and replace the cached pair without a lock: it is immutable, so each sees a whole one.
     */
    private byte[] encoded(String topic) {
        EncodedTopic last = lastTopic;
        if (last.topic() != topic && !last.topic().equals(topic)) {
            last = new EncodedTopic(topic, AuditFormat.text(topic));
            lastTopic = last;
        }
        return last.bytes();
    }

    private record EncodedTopic(String topic, byte[] bytes) {}

    private static byte[] keyBytes(OrdoRecord<?, ?> record) {
        Object key = record.key();
        if (key == null) {
            return null;
        }
        if (key instanceof byte[] bytes) {
            return bytes;
        }
        return key.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * How an {@link AuditTrail} writes: {@code AuditTrail.builder(file).sync(AuditSync.FORCE).checkpointEvery(10_000).open()}.
     */
    public static final class Builder {

        private final Path file;
        private AuditSync sync = AuditSync.WRITE;
        private long checkpointEvery;
        private int maxKeys = 100_000;
        private Clock clock = Clock.systemUTC();

        private Builder(Path file) {
            this.file = Objects.requireNonNull(file, "file must not be null");
        }

        /** When entries reach the disk (default {@link AuditSync#WRITE}). */
        public Builder sync(AuditSync sync) {
            this.sync = Objects.requireNonNull(sync, "sync must not be null");
            return this;
        }

        /**
         * Records a checkpoint in the side file every {@code entries} entries (default 0: only when
         * {@link AuditTrail#checkpoint()} is called). Each forces the file first.
         */
        public Builder checkpointEvery(long entries) {
            this.checkpointEvery = Arguments.atLeast("checkpointEvery", entries, 0);
            return this;
        }

        /**
         * How many keys the trail remembers for the predecessor field (default 100,000, about 100 bytes
         * each); a key forgotten gets {@link AuditEntry#UNKNOWN_PREDECESSOR} at its next entry.
         */
        public Builder maxKeys(int maxKeys) {
            this.maxKeys = Arguments.atLeast("maxKeys", maxKeys, 1);
            return this;
        }

        /** The wall clock entries are stamped with (default UTC system clock). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /** Opens the file: creates it, or continues its chain (see {@link AuditTrail#open(Path)}). */
        public AuditTrail open() throws IOException {
            return new AuditTrail(file, AuditWriter.open(file, sync, checkpointEvery, maxKeys, clock.millis()), clock);
        }
    }
}
