package dev.ordo.engine.core;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One hand-over of a partition's records ({@link RecordDispatcher#dispatch}) while some of them are in
 * flight: the handler stage they run on, their offsets and the records not finished yet, so that
 * {@link dev.ordo.engine.RecordConsumer#explain(int, long)} finds a record in flight by its offset. Costs the
 * dispatcher one object per hand-over and one write per record finished, not an index entry per record; the
 * offsets of a hand-over without gaps (the usual one) are its first and its count, not an array. A finished
 * record's slot is cleared, so a batch holds on to records in flight only, and its {@link Assignment} drops
 * it with its last one.
 */
final class DispatchedBatch {

    /** What its records run on. */
    final HandlerStage<?, ?> stage;

    private final long first;
    private final long last;
    /** Ascending; null when they are first, first + 1, ... up to last. */
    private final long[] offsets;

    private final int count;
    private final AtomicReferenceArray<RawRecord> tasks;
    private final AtomicInteger unfinished = new AtomicInteger();

    /** @param offsets ascending, the first {@code count} (at least one) the hand-over's; copied if need be */
    DispatchedBatch(HandlerStage<?, ?> stage, long[] offsets, int count) {
        this.stage = stage;
        this.count = count;
        this.first = offsets[0];
        this.last = offsets[count - 1];
        this.offsets = last - first == count - 1 ? null : Arrays.copyOf(offsets, count);
        this.tasks = new AtomicReferenceArray<>(count);
    }

    /**
     * Holds {@code task}, the record at {@code index} of the hand-over, until it finishes (engine thread, before
     * {@link #held}; published to other threads by the assignment's set of batches).
     */
    void hold(int index, RawRecord task) {
        task.batch = this;
        tasks.lazySet(index, task);
    }

    /** Every task is held: {@code count} of them, to finish before the batch is let go. */
    void held(int count) {
        unfinished.set(count);
    }

    /** Lets {@code task} go; returns whether it was the batch's last unfinished one. */
    boolean finished(RawRecord task) {
        tasks.lazySet(indexOf(task.offset()), null); // ordered by the decrement after it
        return unfinished.decrementAndGet() == 0;
    }

    /** The task of the record at {@code offset} if this hand-over holds it and it has not finished; else null. */
    RawRecord inFlight(long offset) {
        int index = indexOf(offset);
        return index < 0 ? null : tasks.get(index);
    }

    /** Where the record at {@code offset} is in the hand-over, or a negative number if it is not. */
    private int indexOf(long offset) {
        if (offset < first || offset > last) {
            return -1;
        }
        return offsets == null ? (int) (offset - first) : Arrays.binarySearch(offsets, 0, count, offset);
    }
}
