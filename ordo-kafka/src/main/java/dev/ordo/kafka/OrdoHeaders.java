package dev.ordo.kafka;

import dev.ordo.causal.VectorClock;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * What ordo-core's ordering stages need from a record, carried in Kafka headers so that they work
 * on top of a {@link KafkaOrdoConsumer}: the <b>source</b> that sent it and its <b>sequence</b>
 * number there (for a {@link dev.ordo.sequence.Resequencer}), and the source's <b>vector clock</b>
 * (for a {@link dev.ordo.causal.CausalDeliveryBuffer}). Event time is the record's own Kafka
 * timestamp ({@code CreateTime}, Kafka's default), set with {@link #withEventTime} and read as
 * {@link KafkaOrdoConsumer.ConsumedRecord#timestamp()} (for an {@link dev.ordo.time.EventTimeReorderer}).
 *
 * <table>
 *   <caption>Headers</caption>
 *   <tr><th>header</th><th>value</th></tr>
 *   <tr><td>{@value #SOURCE}</td><td>UTF-8 source (sender) name</td></tr>
 *   <tr><td>{@value #SEQUENCE}</td><td>8-byte big-endian sequence number, &gt;= 0</td></tr>
 *   <tr><td>{@value #CLOCK}</td><td>{@link VectorClock#encode()}</td></tr>
 * </table>
 *
 * <pre>{@code
 * producer.send(key, value, OrdoHeaders.sequenced("teller-1", 42).withEventTime(reading.time()));
 * // in the consumer's handler:
 * resequencer.offer(record.ordoHeaders().source(), record.ordoHeaders().sequence(), record);
 * }</pre>
 */
public final class OrdoHeaders {

    public static final String SOURCE = "ordo.source";
    public static final String SEQUENCE = "ordo.seq";
    public static final String CLOCK = "ordo.clock";
    /** No event time given: Kafka stamps the record when it is sent. */
    public static final long NO_EVENT_TIME = -1;

    private static final OrdoHeaders NONE = new OrdoHeaders(null, -1, null, NO_EVENT_TIME);

    private final String source;
    private final long sequence;
    private final VectorClock clock;
    private final long eventTime;

    private OrdoHeaders(String source, long sequence, VectorClock clock, long eventTime) {
        this.source = source;
        this.sequence = sequence;
        this.clock = clock;
        this.eventTime = eventTime;
    }

    /** Nothing: a record Ordo's stages know nothing about. */
    public static OrdoHeaders none() {
        return NONE;
    }

    /** The {@code sequence}-th record of {@code source} (numbers from 0 or 1, as the resequencer is told). */
    public static OrdoHeaders sequenced(String source, long sequence) {
        Objects.requireNonNull(source, "source must not be null");
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0, was " + sequence);
        }
        return new OrdoHeaders(source, sequence, null, NO_EVENT_TIME);
    }

    /** A message of {@code sender} stamped with its vector clock (after incrementing its own entry). */
    public static OrdoHeaders causal(String sender, VectorClock clock) {
        Objects.requireNonNull(sender, "sender must not be null");
        Objects.requireNonNull(clock, "clock must not be null");
        if (clock.get(sender) < 1) {
            throw new IllegalArgumentException(
                    "clock must count at least one message of its sender '" + sender + "', was " + clock);
        }
        return new OrdoHeaders(sender, clock.get(sender), clock, NO_EVENT_TIME);
    }

    /** The same, with the record's event time (epoch milliseconds, sent as its Kafka timestamp). */
    public OrdoHeaders withEventTime(long epochMillis) {
        if (epochMillis < 0) {
            throw new IllegalArgumentException("eventTime must be >= 0 epoch milliseconds, was " + epochMillis);
        }
        return new OrdoHeaders(source, sequence, clock, epochMillis);
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

    /** The event time to send as the record's timestamp, or {@link #NO_EVENT_TIME}. */
    public long eventTime() {
        return eventTime;
    }

    void writeTo(Headers headers) {
        if (source != null) {
            headers.add(SOURCE, source.getBytes(StandardCharsets.UTF_8));
        }
        if (sequence >= 0) {
            headers.add(SEQUENCE, ByteBuffer.allocate(8).putLong(sequence).array());
        }
        if (clock != null) {
            headers.add(CLOCK, clock.encode());
        }
    }

    /** The Ordo headers among {@code headers} (event time is the record's timestamp, not read here). */
    static OrdoHeaders readFrom(Headers headers) {
        Header source = headers.lastHeader(SOURCE);
        Header sequence = headers.lastHeader(SEQUENCE);
        Header clock = headers.lastHeader(CLOCK);
        if (source == null && sequence == null && clock == null) {
            return NONE;
        }
        if (sequence != null && sequence.value().length != 8) {
            throw new IllegalArgumentException(
                    "header " + SEQUENCE + " must hold 8 bytes, not " + sequence.value().length);
        }
        return new OrdoHeaders(
                source == null ? null : new String(source.value(), StandardCharsets.UTF_8),
                sequence == null ? -1 : ByteBuffer.wrap(sequence.value()).getLong(),
                clock == null ? null : VectorClock.decode(clock.value()),
                NO_EVENT_TIME);
    }

    @Override
    public String toString() {
        return "OrdoHeaders[source=" + source + ", sequence=" + sequence + ", clock=" + clock
                + (eventTime == NO_EVENT_TIME ? "" : ", eventTime=" + eventTime) + "]";
    }
}
