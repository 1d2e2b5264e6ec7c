package dev.ordo.exec;

import dev.ordo.Arguments;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tracks records that finish out of order and reports, per partition, the highest offset below
 * which every record has finished: the only offset that is safe to commit.
 *
 * <p>Register each record's offset when it is dispatched (in increasing order per partition, as a
 * consumer fetches them; offsets need not be contiguous) and complete it when its processing is
 * done. {@link #highestContiguousCompleted} never passes an offset that is registered and not
 * completed, so committing {@code highestContiguousCompleted + 1} (Kafka's convention: the next
 * offset to read) never skips unfinished work.
 *
 * <pre>{@code
 * tracker.register(partition, offset);
 * executor.submit(key, task).thenRun(() -> tracker.complete(partition, offset));
 * long commit = tracker.highestContiguousCompleted(partition) + 1;
 * }</pre>
 *
 * Thread-safe; each partition has its own lock. Memory grows with the records in flight per
 * partition, which the executor's budget bounds.
 */
public final class CompletionTracker {

    private final ConcurrentHashMap<Integer, PartitionProgress> partitions = new ConcurrentHashMap<>();

    /**
     * Registers a dispatched record.
     *
     * @throws IllegalArgumentException if {@code offset} is negative or not above the last
     *         registered offset of the partition
     */
    public void register(int partition, long offset) {
        Arguments.atLeast("partition", partition, 0);
        Arguments.atLeast("offset", offset, 0);
        partitions.computeIfAbsent(partition, p -> new PartitionProgress(p)).register(offset);
    }

    /**
     * Registers the first {@code count} of {@code offsets}, dispatched together, with one turn of the
     * partition's lock (a consumer registering record by record contends with the handlers that
     * complete them, once per record). All or none: a bad offset registers nothing.
     *
     * @throws IllegalArgumentException if an offset is negative or not above the one before it (the
     *         first: the last registered offset of the partition), or {@code count} is out of range
     */
    public void registerAll(int partition, long[] offsets, int count) {
        Arguments.atLeast("partition", partition, 0);
        if (count < 0 || count > offsets.length) {
            throw new IllegalArgumentException("count must be between 0 and " + offsets.length + ", was " + count);
        }
        if (count > 0) {
            Arguments.atLeast("offset", offsets[0], 0);
            partitions.computeIfAbsent(partition, p -> new PartitionProgress(p)).registerAll(offsets, count);
        }
    }

    /**
     * Marks a registered record finished.
     *
     * @throws IllegalArgumentException if the offset is not registered and unfinished
     */
    public void complete(int partition, long offset) {
        PartitionProgress progress = partitions.get(partition);
        if (progress == null) {
            throw new IllegalArgumentException(
                    "offset " + offset + " of partition " + partition + " was never registered");
        }
        progress.complete(offset);
    }

    /** The highest offset of {@code partition} at and below which everything registered has finished; -1 if none. */
    public long highestContiguousCompleted(int partition) {
        PartitionProgress progress = partitions.get(partition);
        return progress == null ? -1 : progress.highestContiguousCompleted();
    }

    /**
     * Offsets of {@code partition} that have finished behind an unfinished one (above the safe commit
     * point), in increasing order, at most {@code max} of them. A consumer can store them with its
     * commit so that a restart skips them instead of handling them again.
     */
    public long[] completedAbove(int partition, int max) {
        Arguments.atLeast("max", max, 0);
        PartitionProgress progress = partitions.get(partition);
        return progress == null ? new long[0] : progress.completedAbove(max);
    }

    /**
     * Drops everything known about {@code partition} (it was handed to another consumer); a later
     * {@link #register} starts it afresh. Completing an offset registered before is then refused.
     */
    public void forget(int partition) {
        partitions.remove(partition);
    }

    /** Registered records of {@code partition} not yet finished, or finished behind an unfinished one. */
    public int pending(int partition) {
        PartitionProgress progress = partitions.get(partition);
        return progress == null ? 0 : progress.pending();
    }

    /** Offsets registered in order with a finished flag each, kept in a ring from the oldest unfinished one. */
    private static final class PartitionProgress {
        private final int partition;
        private long[] offsets = new long[16];
        private boolean[] done = new boolean[16];
        private int head;
        private int size;
        private long lastRegistered = -1;
        private long highestContiguous = -1;

        PartitionProgress(int partition) {
            this.partition = partition;
        }

        synchronized void register(long offset) {
            requireAbove(lastRegistered, "last registered", offset);
            add(offset);
        }

        synchronized void registerAll(long[] added, int count) {
            for (int i = 0; i < count; i++) { // all checked before any is added
                requireAbove(i == 0 ? lastRegistered : added[i - 1], i == 0 ? "last registered" : "previous", added[i]);
            }
            for (int i = 0; i < count; i++) {
                add(added[i]);
            }
        }

        private void requireAbove(long before, String which, long offset) {
            if (offset <= before) {
                throw new IllegalArgumentException("offset must be > the " + which + " offset " + before
                        + " of partition " + partition + ", was " + offset);
            }
        }

        private void add(long offset) {
            if (size == offsets.length) {
                grow();
            }
            int slot = (head + size) & (offsets.length - 1);
            offsets[slot] = offset;
            done[slot] = false;
            size++;
            lastRegistered = offset;
        }

        synchronized void complete(long offset) {
            int i = find(offset);
            if (i < 0 || done[slot(i)]) {
                throw new IllegalArgumentException("offset " + offset + " of partition " + partition
                        + (i < 0 ? " is not registered or already committed" : " was already completed"));
            }
            done[slot(i)] = true;
            while (size > 0 && done[head]) {
                highestContiguous = offsets[head];
                head = (head + 1) & (offsets.length - 1);
                size--;
            }
        }

        synchronized long highestContiguousCompleted() {
            return highestContiguous;
        }

        synchronized int pending() {
            return size;
        }

        synchronized long[] completedAbove(int max) {
            long[] found = new long[Math.min(max, size)];
            int n = 0;
            for (int i = 0; i < size && n < found.length; i++) {
                if (done[slot(i)]) {
                    found[n++] = offsets[slot(i)];
                }
            }
            return Arrays.copyOf(found, n);
        }

        private int slot(int i) {
            return (head + i) & (offsets.length - 1);
        }

        /** Binary search over the ring, whose offsets increase from head. */
        private int find(long offset) {
            int lo = 0;
            int hi = size - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                long value = offsets[slot(mid)];
                if (value < offset) {
                    lo = mid + 1;
                } else if (value > offset) {
                    hi = mid - 1;
                } else {
                    return mid;
                }
            }
            return -1;
        }

        private void grow() {
            long[] newOffsets = new long[offsets.length * 2];
            boolean[] newDone = new boolean[offsets.length * 2];
            for (int i = 0; i < size; i++) {
                newOffsets[i] = offsets[slot(i)];
                newDone[i] = done[slot(i)];
            }
            offsets = newOffsets;
            done = newDone;
            head = 0;
            Arrays.fill(newDone, size, newDone.length, false);
        }
    }
}
