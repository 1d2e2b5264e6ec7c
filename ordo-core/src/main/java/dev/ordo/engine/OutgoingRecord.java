package dev.ordo.engine;

import java.util.Objects;

/**
 * A record to send: key, value, headers and, if the application has one, its own timestamp (an event
 * time); without one the producer stamps the record when it is sent. Immutable.
 *
 * <pre>{@code
 * producer.send(OutgoingRecord.of("sensor-7", reading).withTimestamp(reading.takenAt()).withHeaders(headers));
 * }</pre>
 *
 * @param key may be null (then the partition is chosen round-robin)
 * @param value may be null
 * @param headers never null
 * @param timestamp epoch milliseconds, or {@link #NO_TIMESTAMP}
 * @param <K> the key type
 * @param <V> the value type
 */
public record OutgoingRecord<K, V>(K key, V value, Headers headers, long timestamp) {

    /** No timestamp given: the producer stamps the record with the time it is sent. */
    public static final long NO_TIMESTAMP = -1;

    public OutgoingRecord {
        Objects.requireNonNull(headers, "headers must not be null");
        if (timestamp < 0 && timestamp != NO_TIMESTAMP) {
            throw new IllegalArgumentException("timestamp must be >= 0 epoch milliseconds, was " + timestamp);
        }
    }

    /** A record without headers or timestamp. */
    public static <K, V> OutgoingRecord<K, V> of(K key, V value) {
        return new OutgoingRecord<>(key, value, Headers.empty(), NO_TIMESTAMP);
    }

    /** The same record with these headers (replacing any). */
    public OutgoingRecord<K, V> withHeaders(Headers headers) {
        return new OutgoingRecord<>(key, value, headers, timestamp);
    }

    /** The same record with this timestamp (epoch milliseconds, >= 0). */
    public OutgoingRecord<K, V> withTimestamp(long epochMillis) {
        if (epochMillis < 0) {
            throw new IllegalArgumentException("timestamp must be >= 0 epoch milliseconds, was " + epochMillis);
        }
        return new OutgoingRecord<>(key, value, headers, epochMillis);
    }

    /** Whether the application gave a timestamp. */
    public boolean hasTimestamp() {
        return timestamp != NO_TIMESTAMP;
    }
}
