package dev.ordo.check;

import java.util.Objects;

/**
 * One send or receipt of a message as the {@link OrderingChecker} sees it: what identifies the
 * message, what its order is and, optionally, where it was read from and what time it carries.
 * Absent numbers are negative (as Kafka's {@code NO_TIMESTAMP} is -1).
 *
 * <pre>{@code
 * history.received(new Message(key, producerId, sequence, id)
 *         .withPartition(record.partition()).withTimestamp(record.timestamp()).withAt(clock.millis()));
 * }</pre>
 *
 * @param key the ordering key (an account, an entity); order is checked per key
 * @param source the sender (producer id) or partition the sequence belongs to
 * @param sequence the sender's sequence number or the partition offset; negative if none
 * @param id a unique id of the message, the same on send and on every receipt
 * @param partition the partition the message was written to (on a send) or read from (on a
 *        receipt), checked against the topic's {@link PartitionLayout}; -1 if none
 * @param timestamp the event time the message carries, in milliseconds since the epoch (Kafka's
 *        record timestamp); -1 if none
 * @param at when this send or receipt happened, in milliseconds since the epoch: the reference
 *        the event time is checked against ({@link TimestampBounds}); -1 if not recorded
 */
public record Message(String key, String source, long sequence, String id, int partition, long timestamp, long at) {

    /** The value of {@link #partition()}, {@link #timestamp()} and {@link #at()} when there is none. */
    public static final int NONE = -1;

    public Message {
        Objects.requireNonNull(key, "key must not be null");
        Objects.requireNonNull(source, "source must not be null");
        Objects.requireNonNull(id, "id must not be null");
        partition = Math.max(partition, NONE);
        timestamp = Math.max(timestamp, NONE);
        at = Math.max(at, NONE);
    }

    /** A message without partition, timestamp or time of the event. */
    public Message(String key, String source, long sequence, String id) {
        this(key, source, sequence, id, NONE, NONE, NONE);
    }

    /** This message with {@code partition} (negative for none). */
    public Message withPartition(int partition) {
        return new Message(key, source, sequence, id, partition, timestamp, at);
    }

    /** This message with the event time {@code timestamp} (negative for none). */
    public Message withTimestamp(long timestamp) {
        return new Message(key, source, sequence, id, partition, timestamp, at);
    }

    /** This message with the time of its send or receipt (negative for none). */
    public Message withAt(long at) {
        return new Message(key, source, sequence, id, partition, timestamp, at);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder()
                .append(id)
                .append(" (key ")
                .append(key)
                .append(", source ")
                .append(source)
                .append(", seq ")
                .append(sequence);
        if (partition >= 0) {
            b.append(", partition ").append(partition);
        }
        if (timestamp >= 0) {
            b.append(", timestamp ").append(timestamp);
        }
        return b.append(')').toString();
    }
}
