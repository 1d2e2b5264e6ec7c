package dev.ordo.log.consumer;

import dev.ordo.engine.core.RawRecord;
import dev.ordo.log.engine.GroupCoordinator;
import dev.ordo.partition.Partitioner;
import dev.ordo.partition.TopicLayout;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a change of the topic's partition count asks of a group's fetcher, per round: a record whose key
 * lived in other partitions under earlier layouts waits until the group has handled what those
 * partitions held when the next layout began ({@link TopicLayout#dependencies}), and the fetcher reports
 * how far it has handled its own partitions, which other records may wait for. Nothing to do once the
 * group has finished with every earlier layout, which is at once for a topic that never changed.
 */
final class LayoutFence {

    private static final Logger LOG = LoggerFactory.getLogger(OrdoConsumer.class);

    /** A partition whose next record waits: since when, for what, and whether that was said already. */
    static final class Wait {
        final long sinceNanos = System.nanoTime();
        TopicLayout.After after;
        boolean warned;
    }

    private final TopicLayout layout;
    private final GroupCoordinator.Group group;
    private final Partitioner placement;
    private final int from;
    private final boolean active;

    private LayoutFence(
            TopicLayout layout, GroupCoordinator.Group group, Partitioner placement, int from, boolean active) {
        this.layout = layout;
        this.group = group;
        this.placement = placement;
        this.from = from;
        this.active = active;
    }

    /**
     * The fence for this round: {@code finished} earlier layouts are known to be finished by the group.
     *
     * @param enabled false only in a test showing what the fence prevents
     */
    static LayoutFence of(
            TopicLayout layout, GroupCoordinator.Group group, Partitioner placement, boolean enabled, int finished) {
        int last = layout.layouts().size() - 1;
        int from = last == 0 ? 0 : layout.firstUnfinished(group::handled, finished);
        return new LayoutFence(layout, group, placement, from, enabled && from < last);
    }

    /** How many earlier layouts the group has finished with (at least what it was given). */
    int finished() {
        return from;
    }

    /**
     * How many of the first {@code count} fetched records of {@code partition} may go now: those before
     * the first that waits. Notes the wait (or its end) in {@code waits}.
     */
    int passing(int partition, ArrayDeque<RawRecord> records, int count, Map<Integer, Wait> waits) {
        if (!active) {
            waits.remove(partition); // the group finished the earlier layouts: a wait noted before is over
            return count;
        }
        Iterator<RawRecord> it = records.iterator();
        for (int i = 0; i < count; i++) {
            RawRecord r = it.next();
            List<TopicLayout.After> after = layout.dependencies(r.key(), partition, r.offset(), placement, from);
            for (int d = 0; d < after.size(); d++) {
                TopicLayout.After a = after.get(d);
                if (group.handled(a.partition()) < a.offset()) {
                    waits.computeIfAbsent(partition, p -> new Wait()).after = a;
                    return i;
                }
            }
        }
        waits.remove(partition);
        return count;
    }

    /**
     * Tells the group how far this member has handled its partitions ({@code handledUpTo}), only while
     * someone may wait.
     */
    void report(Set<Integer> owned, IntToLongFunction handledUpTo) {
        if (!active) {
            return;
        }
        for (int p : owned) {
            long point = handledUpTo.applyAsLong(p);
            if (point >= 0) {
                group.reportHandled(p, point);
            }
        }
    }

    /** The layout this fence was made from. */
    TopicLayout layout() {
        return layout;
    }

    /** What each waiting partition waits for, as an operator reads it. */
    static Map<Integer, String> describe(String topic, Map<Integer, Wait> waits) {
        if (waits.isEmpty()) {
            return Map.of();
        }
        long now = System.nanoTime();
        Map<Integer, String> holds = new TreeMap<>();
        waits.forEach((partition, w) -> holds.put(
                partition,
                "its next record waits for the group to handle " + topic + "-" + w.after.partition()
                        + " below offset " + w.after.offset()
                        + " (its key lived there before the partition count changed) for "
                        + Duration.ofNanos(now - w.sinceNanos).toMillis() + " ms"));
        return Collections.unmodifiableMap(holds);
    }

    /** A wait longer than the stall timeout is said once, with what it waits for. */
    static void warnLongWaits(String topic, Map<Integer, Wait> waits, Duration stallTimeout) {
        if (waits.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (Map.Entry<Integer, Wait> e : waits.entrySet()) {
            Wait w = e.getValue();
            if (!w.warned && now - w.sinceNanos >= stallTimeout.toNanos()) {
                w.warned = true;
                LOG.warn(
                        "no progress for {} s on {}-{}: its next record waits for the group to handle {}-{} below "
                                + "offset {} (its key lived there before the partition count changed)",
                        Duration.ofNanos(now - w.sinceNanos).toSeconds(),
                        topic,
                        e.getKey(),
                        topic,
                        w.after.partition(),
                        w.after.offset());
            }
        }
    }
}
