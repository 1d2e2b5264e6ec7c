package dev.ordo.kafka;

import dev.ordo.engine.OrdoHeaders;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.IntToLongFunction;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Keeps a key's order when a topic's partitions grow. Kafka places a key by
 * {@code hash(key) % partitions}; after {@code createPartitions} many keys move to another
 * partition, and a consumer could handle a key's new records before its old ones, still waiting in
 * the partition it left.
 *
 * <p>Ordo's producer therefore notes, when it starts and whenever it sees the partition count
 * change, the end offset of every partition (after its own earlier sends are acknowledged). Each
 * later record whose key lived in another partition {@code q} under an earlier count carries a
 * header {@value #HEADER} = ({@code q}, end offset of {@code q}): "handle me only once every record
 * of {@code q} below that offset has been handled". Ordo's consumer holds a partition at such a
 * record until the group's progress on {@code q} (its own, or the offset the group committed for
 * {@code q}) reaches the offset. Dependencies always point to records written earlier, so waits
 * cannot form a cycle.
 *
 * <p>Value: 4-byte partition then 8-byte offset, big-endian. A record may carry one header per
 * earlier count whose partition differs.
 */
final class PartitionFence {

    static final String HEADER = OrdoHeaders.AFTER;

    /** One dependency: every record of {@code partition} below {@code offset} must have been handled first. */
    record After(int partition, long offset) {}

    private PartitionFence() {}

    static byte[] encode(int partition, long offset) {
        return ByteBuffer.allocate(12).putInt(partition).putLong(offset).array();
    }

    static After decode(byte[] value) {
        if (value == null || value.length != 12) {
            throw new IllegalArgumentException(
                    "header " + HEADER + " must hold 12 bytes, not " + (value == null ? "null" : value.length));
        }
        ByteBuffer buffer = ByteBuffer.wrap(value);
        return new After(buffer.getInt(), buffer.getLong());
    }

    /** The dependencies {@code headers} carry (usually none). */
    static List<After> of(Headers headers) {
        if (headers.lastHeader(HEADER) == null) {
            return List.of(); // almost every record: no iterator made
        }
        List<After> after = null;
        for (Header h : headers.headers(HEADER)) {
            if (after == null) {
                after = new ArrayList<>(2);
            }
            after.add(decode(h.value()));
        }
        return after == null ? List.of() : after;
    }

    /**
     * What each fenced partition waits for, as an operator reads it: {@code fenced} maps a partition to
     * when its wait began, {@code firstWaiting} gives the headers of its first waiting record, and
     * {@code progress} how far a partition is handled.
     */
    static Map<Integer, String> describe(
            String topic, Map<Integer, Long> fenced, IntFunction<Headers> firstWaiting, IntToLongFunction progress) {
        if (fenced.isEmpty()) {
            return Map.of();
        }
        long now = System.nanoTime();
        Map<Integer, String> holds = new TreeMap<>();
        fenced.forEach((partition, since) -> {
            StringBuilder why = new StringBuilder("its next record waits for");
            for (After after : of(firstWaiting.apply(partition))) {
                why.append(' ')
                        .append(topic)
                        .append('-')
                        .append(after.partition())
                        .append(" to be handled up to offset ")
                        .append(after.offset())
                        .append(" (handled up to ")
                        .append(progress.applyAsLong(after.partition()))
                        .append(')');
            }
            why.append(" for ")
                    .append(TimeUnit.NANOSECONDS.toMillis(now - since))
                    .append(" ms");
            holds.put(partition, why.toString());
        });
        return Collections.unmodifiableMap(holds);
    }
}
