package dev.ordo.engine.core;

import dev.ordo.engine.core.HandlerStage.HandlerTask;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One hand-over of a partition's records ({@link RecordDispatcher#dispatch}) while some of them are in
 * flight: their offsets and the tasks not finished yet, so that
 * {@link dev.ordo.engine.RecordConsumer#explain(int, long)} finds a record in flight by its offset. Costs the
 * dispatcher one object per hand-over and one write per record finished, not an index entry per record. A
 * finished task's slot is cleared, so a batch holds on to records in flight only, and its
 * {@link Assignment} drops it with its last one.
 */
final class DispatchedBatch {

    /** Ascending; shared with the completion tracker's registration, which copies them. */
    private final long[] offsets;

    private final int count;
    private final AtomicReferenceArray<HandlerTask> tasks;
    private final AtomicInteger unfinished = new AtomicInteger();

    DispatchedBatch(long[] offsets, int count) {
        this.offsets = offsets;
        this.count = count;
        this.tasks = new AtomicReferenceArray<>(count);
    }

    /**
     * Holds {@code task}, the record at {@code index} of the hand-over, until it finishes (engine thread, before
     * {@link #held}; published to other threads by the assignment's set of batches).
     */
    void hold(int index, HandlerTask task) {
        task.batch = this;
        task.index = index;
        tasks.lazySet(index, task);
    }

    /** Every task is held: {@code count} of them, to finish before the batch is let go. */
    void held(int count) {
        unfinished.set(count);
    }

    /** Lets {@code task} go; returns whether it was the batch's last unfinished one. */
    boolean finished(HandlerTask task) {
        tasks.lazySet(task.index, null); // ordered by the decrement after it
        return unfinished.decrementAndGet() == 0;
    }

    /** The task of the record at {@code offset} if this hand-over holds it and it has not finished; else null. */
    HandlerTask inFlight(long offset) {
        if (count == 0 || offset < offsets[0] || offset > offsets[count - 1]) {
            return null;
        }
        int index = Arrays.binarySearch(offsets, 0, count, offset);
        return index < 0 ? null : tasks.get(index);
    }
}
