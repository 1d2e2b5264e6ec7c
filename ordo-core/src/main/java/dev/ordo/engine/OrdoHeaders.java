package dev.ordo.engine;

import dev.ordo.causal.HybridLogicalClock;
import dev.ordo.causal.HybridTimestamp;
import dev.ordo.causal.VectorClock;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The headers Ordo defines, the same on both engines: what the ordering stages need from a record
 * (its <b>source</b> and <b>sequence</b> number there for a {@link dev.ordo.sequence.Resequencer}, the
 * source's <b>vector clock</b> for a {@link dev.ordo.causal.CausalDeliveryBuffer}, the <b>hybrid
 * timestamp</b> a producer with a {@link HybridLogicalClock} stamps (see {@link HybridClockHandler}); event time is the
 * record's timestamp, {@link OutgoingRecord#withTimestamp}), the partition <b>fence</b> the Kafka
 * producer sets when a topic grows, and what a dead-lettered record carries.
 *
 * <table>
 *   <caption>Headers</caption>
 *   <tr><th>header</th><th>value</th></tr>
 *   <tr><td>{@value #SOURCE}</td><td>UTF-8 source (sender) name</td></tr>
 *   <tr><td>{@value #SEQUENCE}</td><td>8-byte big-endian sequence number, &gt;= 0</td></tr>
 *   <tr><td>{@value #CLOCK}</td><td>{@link VectorClock#encode()}</td></tr>
 *   <tr><td>{@value #HYBRID_TIMESTAMP}</td><td>8-byte big-endian {@link HybridTimestamp#pack()}: 48 bits of
 *       milliseconds, 16 bits of logical counter</td></tr>
 *   <tr><td>{@value #HEARTBEAT}</td><td>empty: the record is a producer heartbeat (with a {@value #HYBRID_TIMESTAMP}
 *       stamp) for {@link Ordering#TOTAL}, no data; consumers never hand it to the handler</td></tr>
 *   <tr><td>{@value #AFTER}</td><td>4-byte partition, 8-byte offset: handle only after that partition's
 *       records below the offset</td></tr>
 *   <tr><td>{@value #DEAD_LETTER_ERROR}</td><td>UTF-8 {@code Throwable.toString()} of the last attempt</td></tr>
 *   <tr><td>{@value #DEAD_LETTER_ATTEMPTS}</td><td>UTF-8 decimal number of attempts</td></tr>
 *   <tr><td>{@value #ORIGIN_TOPIC}, {@value #ORIGIN_PARTITION}, {@value #ORIGIN_OFFSET}</td>
 *       <td>UTF-8: where the dead-lettered record was read</td></tr>
 * </table>
 *
 * <pre>{@code
 * producer.send(OutgoingRecord.of(key, value).withHeaders(OrdoHeaders.sequenced("teller-1", 42)));
 * // in the consumer's handler:
 * OrdoHeaders ordo = OrdoHeaders.of(record.headers());
 * resequencer.offer(ordo.source(), ordo.sequence(), record.value());
 * }</pre>
 */
public final class OrdoHeaders {

    public static final String SOURCE = "ordo.source";
    public static final String SEQUENCE = "ordo.seq";
    public static final String CLOCK = "ordo.clock";
    public static final String HYBRID_TIMESTAMP = "ordo.hlc";
    public static final String HEARTBEAT = "ordo.heartbeat";
    public static final String AFTER = "ordo.after";
    public static final String DEAD_LETTER_ERROR = "ordo.error";
    public static final String DEAD_LETTER_ATTEMPTS = "ordo.attempts";
    public static final String ORIGIN_TOPIC = "ordo.origin.topic";
    public static final String ORIGIN_PARTITION = "ordo.origin.partition";
    public static final String ORIGIN_OFFSET = "ordo.origin.offset";

    private static final OrdoHeaders NONE = new OrdoHeaders(null, -1, null);

    private final String source;
    private final long sequence;
    private final VectorClock clock;

    private OrdoHeaders(String source, long sequence, VectorClock clock) {
        this.source = source;
        this.sequence = sequence;
        this.clock = clock;
    }

    /** Headers for the {@code sequence}-th record of {@code source} (numbered as the resequencer is told). */
    public static Headers sequenced(String source, long sequence) {
        Objects.requireNonNull(source, "source must not be null");
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0, was " + sequence);
        }
        return Headers.empty().with(SOURCE, source).with(SEQUENCE, encodeLong(sequence));
    }

    /** Headers for a message of {@code sender} stamped with its vector clock (its own entry incremented). */
    public static Headers causal(String sender, VectorClock clock) {
        Objects.requireNonNull(sender, "sender must not be null");
        Objects.requireNonNull(clock, "clock must not be null");
        if (clock.get(sender) < 1) {
            throw new IllegalArgumentException(
                    "clock must count at least one message of its sender '" + sender + "', was " + clock);
        }
        return sequenced(sender, clock.get(sender)).with(CLOCK, clock.encode());
    }

    /**
     * {@code headers} with a {@link #HYBRID_TIMESTAMP} of {@code clock.now()} added at the end (where it
     * wins over any earlier one, e.g. a stamp copied from a record being forwarded). Both engines' producers
     * stamp through this when built with a hybrid clock.
     */
    public static Headers stamped(Headers headers, HybridLogicalClock clock) {
        Objects.requireNonNull(headers, "headers must not be null");
        Objects.requireNonNull(clock, "clock must not be null");
        return headers.with(HYBRID_TIMESTAMP, encodeLong(clock.now().pack()));
    }

    /**
     * The headers of a heartbeat: a record without data by which a producer promises a partition nothing
     * stamped before {@code clock.now()} from it, so {@link Ordering#TOTAL} is not held back by an idle
     * partition.
     */
    public static Headers heartbeat(HybridLogicalClock clock) {
        return stamped(Headers.empty().with(HEARTBEAT, new byte[0]), clock);
    }

    /** Whether these are a heartbeat's headers. */
    public static boolean isHeartbeat(Headers headers) {
        return headers.lastValue(HEARTBEAT) != null;
    }

    /**
     * The record's hybrid timestamp ({@link #HYBRID_TIMESTAMP}, the last one if there are several), or
     * null if it has none.
     *
     * @throws IllegalArgumentException if the header does not hold 8 bytes
     */
    public static HybridTimestamp hybridTimestamp(Headers headers) {
        byte[] value = headers.lastValue(HYBRID_TIMESTAMP);
        if (value == null) {
            return null;
        }
        if (value.length != 8) {
            throw new IllegalArgumentException(
                    "header " + HYBRID_TIMESTAMP + " must hold 8 bytes, was " + value.length);
        }
        return HybridTimestamp.unpack(ByteBuffer.wrap(value).getLong());
    }

    /**
     * The headers a record copied to a dead-letter topic carries: its own, then the error, the attempts
     * and where it was read.
     */
    public static Headers deadLetter(OrdoRecord<?, ?> record, Throwable error, int attempts) {
        return record.headers()
                .with(DEAD_LETTER_ERROR, String.valueOf(error))
                .with(DEAD_LETTER_ATTEMPTS, Integer.toString(attempts))
                .with(ORIGIN_TOPIC, record.topic())
                .with(ORIGIN_PARTITION, Integer.toString(record.partition()))
                .with(ORIGIN_OFFSET, Long.toString(record.offset()));
    }

    /**
     * The Ordo headers among {@code headers}.
     *
     * @throws IllegalArgumentException if one of them is malformed
     */
    public static OrdoHeaders of(Headers headers) {
        byte[] source = headers.lastValue(SOURCE);
        byte[] sequence = headers.lastValue(SEQUENCE);
        byte[] clock = headers.lastValue(CLOCK);
        if (source == null && sequence == null && clock == null) {
            return NONE;
        }
        if (sequence != null && sequence.length != 8) {
            throw new IllegalArgumentException("header " + SEQUENCE + " must hold 8 bytes, was " + sequence.length);
        }
        return new OrdoHeaders(
                source == null ? null : new String(source, StandardCharsets.UTF_8),
                sequence == null ? -1 : ByteBuffer.wrap(sequence).getLong(),
                clock == null ? null : VectorClock.decode(clock));
    }

    /** The source or sender, or null. */
    public String source() {
        return source;
    }

    /** The sequence number in its source, or -1 (for a causal message: its own clock entry). */
    public long sequence() {
        return sequence;
    }

    /** The vector clock, or null. */
    public VectorClock clock() {
        return clock;
    }

    private static byte[] encodeLong(long value) {
        return ByteBuffer.allocate(8).putLong(value).array();
    }

    @Override
    public String toString() {
        return "OrdoHeaders[source=" + source + ", sequence=" + sequence + ", clock=" + clock + "]";
    }
}
