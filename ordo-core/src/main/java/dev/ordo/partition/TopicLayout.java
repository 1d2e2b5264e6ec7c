package dev.ordo.partition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.IntToLongFunction;

/**
 * The partition layouts a topic has had, oldest first, each with the offset at which it began in every
 * partition: what keeps a key's order while the partition count changes.
 *
 * <p>When a topic goes from {@code n} to {@code m} partitions, a key may be placed in another partition
 * from then on, and its new records could be handled before its old ones, still waiting in the partition
 * it left. The rule that prevents it is the one Amazon Kinesis applies to resharding, per key: a record
 * of key {@code k} in partition {@code p}, written under layout {@code j}, is handed to a handler only
 * once, for every earlier layout {@code i} that placed {@code k} in another partition {@code q}, every
 * record {@code q} held when layout {@code i + 1} began has been handled ({@link #dependencies}). The
 * dependencies point to records written earlier, so waits never form a cycle; keys that did not move
 * never wait.
 *
 * <p>Partitions are never renumbered: shrinking retires the highest numbered ones (they receive nothing
 * more and drain), and growing again continues their offsets. Immutable; {@link #alter} returns the
 * next history.
 */
public final class TopicLayout {

    /** The most partitions a layout may have. */
    public static final int MAX_PARTITIONS = 10_000;

    private final List<Layout> layouts;

    /**
     * One layout: records are placed on {@code partitions} partitions, and in each partition {@code q}
     * they begin at offset {@link #start start(q)}. {@code starts} covers every partition that exists
     * (retired ones too); a partition made by this layout starts at 0.
     */
    public record Layout(int partitions, long[] starts) {

        public Layout {
            if (partitions < 1 || partitions > MAX_PARTITIONS) {
                throw new IllegalArgumentException(
                        "partitions must be in [1, " + MAX_PARTITIONS + "], was " + partitions);
            }
            starts = starts.clone();
            if (starts.length < partitions) {
                throw new IllegalArgumentException("a layout of " + partitions
                        + " partitions needs a start offset for each, was given " + starts.length);
            }
            for (int q = 0; q < starts.length; q++) {
                if (starts[q] < 0) {
                    throw new IllegalArgumentException(
                            "start offset of partition " + q + " must be >= 0, was " + starts[q]);
                }
            }
        }

        /** The first offset of {@code partition} under this layout (0 for one it does not cover). */
        public long start(int partition) {
            return partition < starts.length ? starts[partition] : 0;
        }

        /** How many partitions exist under this layout: those it places on and the retired ones. */
        public int existing() {
            return starts.length;
        }

        @Override
        public long[] starts() {
            return starts.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Layout other && partitions == other.partitions && Arrays.equals(starts, other.starts);
        }

        @Override
        public int hashCode() {
            return 31 * partitions + Arrays.hashCode(starts);
        }

        @Override
        public String toString() {
            return partitions + " partitions from " + Arrays.toString(starts);
        }
    }

    /** One dependency: every record of {@code partition} below {@code offset} must have been handled first. */
    public record After(int partition, long offset) {}

    private TopicLayout(List<Layout> layouts) {
        this.layouts = List.copyOf(layouts);
    }

    /** A topic made with {@code partitions} partitions and no change yet. */
    public static TopicLayout initial(int partitions) {
        return new TopicLayout(List.of(new Layout(partitions, new long[partitions])));
    }

    /**
     * A history read back from storage, checked: each layout covers at least the partitions of the one
     * before, and no start offset goes back.
     *
     * @throws IllegalArgumentException naming the layout and partition that break the rule
     */
    public static TopicLayout of(List<Layout> layouts) {
        if (layouts.isEmpty()) {
            throw new IllegalArgumentException("a topic layout needs at least one layout");
        }
        Layout first = layouts.get(0);
        for (int q = 0; q < first.existing(); q++) {
            if (first.start(q) != 0) {
                throw new IllegalArgumentException("the first layout must start every partition at 0, partition " + q
                        + " starts at " + first.start(q));
            }
        }
        for (int i = 1; i < layouts.size(); i++) {
            Layout before = layouts.get(i - 1);
            Layout next = layouts.get(i);
            if (next.existing() != Math.max(before.existing(), next.partitions())) {
                throw new IllegalArgumentException("layout " + i + " must cover "
                        + Math.max(before.existing(), next.partitions()) + " partitions, covers " + next.existing());
            }
            for (int q = 0; q < before.existing(); q++) {
                if (next.start(q) < before.start(q)) {
                    throw new IllegalArgumentException("layout " + i + " starts partition " + q + " at " + next.start(q)
                            + ", before layout " + (i - 1) + " did (" + before.start(q) + ")");
                }
            }
        }
        return new TopicLayout(layouts);
    }

    /**
     * The history with one more layout of {@code partitions} partitions, beginning where each existing
     * partition ends now ({@code ends}, one per {@link #existing()} partition). New partitions start at 0.
     *
     * @throws IllegalArgumentException if the count is out of range or the same, or an end goes back
     */
    public TopicLayout alter(int partitions, long[] ends) {
        Objects.requireNonNull(ends, "ends must not be null");
        requireChange(partitions);
        if (ends.length != existing()) {
            throw new IllegalArgumentException(
                    "ends must give one offset per existing partition (" + existing() + "), gave " + ends.length);
        }
        long[] starts = Arrays.copyOf(ends, Math.max(existing(), partitions));
        List<Layout> next = new ArrayList<>(layouts);
        next.add(new Layout(partitions, starts));
        return of(next);
    }

    /**
     * Checks that {@code partitions} is a count this history may change to: in range, not the current one.
     *
     * @throws IllegalArgumentException naming the value if not
     */
    public void requireChange(int partitions) {
        if (partitions < 1 || partitions > MAX_PARTITIONS) {
            throw new IllegalArgumentException("partitions must be in [1, " + MAX_PARTITIONS + "], was " + partitions);
        }
        if (partitions == partitions()) {
            throw new IllegalArgumentException("the topic already has " + partitions + " partitions");
        }
    }

    /** The layouts, oldest first; the last is the current one. */
    public List<Layout> layouts() {
        return layouts;
    }

    /** The partition count records are placed by now. */
    public int partitions() {
        return current().partitions();
    }

    /** How many partitions exist: the current ones and the retired ones, which may still hold records. */
    public int existing() {
        return current().existing();
    }

    /** Whether {@code partition} exists but receives no new records. */
    public boolean retired(int partition) {
        return partition >= partitions() && partition < existing();
    }

    /**
     * Whether a layout retired {@code partition} when it ended at {@code offset}: every record below it was
     * written before the partition stopped receiving (a retired partition's records, which an engine may
     * delete once every consumer group has read them).
     */
    public boolean retiredAt(int partition, long offset) {
        for (Layout layout : layouts) {
            if (partition >= layout.partitions()
                    && partition < layout.existing()
                    && layout.start(partition) == offset) {
                return true;
            }
        }
        return false;
    }

    /** The layout under which the record at {@code offset} of {@code partition} was written. */
    public int layoutOf(int partition, long offset) {
        for (int i = layouts.size() - 1; i > 0; i--) {
            Layout layout = layouts.get(i);
            if (partition < layout.existing() && offset >= layout.start(partition)) {
                return i;
            }
        }
        return 0;
    }

    /**
     * The first layout a consumer group has not finished with: one whose successor starts some
     * partition beyond what the group has handled there ({@code handled(q)}: the offset below which
     * every record of {@code q} is handled). Dependencies on earlier layouts are met already.
     */
    public int firstUnfinished(IntToLongFunction handled) {
        return firstUnfinished(handled, 0);
    }

    /**
     * {@link #firstUnfinished(IntToLongFunction)} for a group known to have finished the layouts before
     * {@code from}.
     */
    public int firstUnfinished(IntToLongFunction handled, int from) {
        for (int i = Math.max(0, from); i + 1 < layouts.size(); i++) {
            Layout next = layouts.get(i + 1);
            for (int q = 0; q < layouts.get(i).existing(); q++) {
                if (handled.applyAsLong(q) < next.start(q)) {
                    return i;
                }
            }
        }
        return layouts.size() - 1;
    }

    /**
     * What the record of {@code key} at {@code offset} of {@code partition} waits for: for each layout
     * from {@code fromLayout} on, before the record's own, that placed the key elsewhere, every record
     * that partition held when the next layout began. Empty when nothing changed (the usual case) or the
     * key has no order to keep ({@code null}).
     */
    public List<After> dependencies(byte[] key, int partition, long offset, Partitioner placement, int fromLayout) {
        if (key == null || layouts.size() == 1) {
            return List.of();
        }
        int own = layoutOf(partition, offset);
        List<After> after = List.of();
        for (int i = Math.max(0, fromLayout); i < own; i++) {
            int q = placement.partition(key, layouts.get(i).partitions());
            long end = layouts.get(i + 1).start(q);
            if (q == partition || end == 0) {
                continue; // same partition: its own order covers it; empty: nothing to wait for
            }
            if (after.isEmpty()) {
                after = new ArrayList<>(2);
            }
            after.removeIf(a -> a.partition() == q); // a later layout's end of q covers an earlier one
            after.add(new After(q, end));
        }
        return after;
    }

    private Layout current() {
        return layouts.get(layouts.size() - 1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicLayout other && layouts.equals(other.layouts);
    }

    @Override
    public int hashCode() {
        return layouts.hashCode();
    }

    @Override
    public String toString() {
        return layouts.toString();
    }
}
