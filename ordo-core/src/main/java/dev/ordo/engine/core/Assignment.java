package dev.ordo.engine.core;

import java.util.ArrayDeque;
import java.util.NavigableSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One ownership of one partition by one consumer, from {@link RecordDispatcher#assign} to
 * {@link RecordDispatcher#release}: its own slot in the completion tracker, so that records handled
 * under an earlier ownership are told apart from this one's.
 */
final class Assignment {

    final int partition;
    final int slot;
    final long startOffset;
    /** Offsets an earlier owner handled beyond its commit point: completed without handling (engine thread). */
    final NavigableSet<Long> alreadyHandled;

    final AtomicLong inFlight = new AtomicLong();
    volatile boolean released;
    /** The first offset dispatched, or -1 (engine thread). */
    long firstDispatched = -1;
    /** The last offset dispatched, or -1 (written by the engine thread, read by an operator's explain). */
    volatile long lastDispatched = -1;
    /** Hand-overs with a record in flight, to find one by its offset. */
    private final Set<DispatchedBatch> inFlightBatches = ConcurrentHashMap.newKeySet();
    /** {last offset, timestamp of its first record} of each batch dispatched and not yet all handled. */
    private final ArrayDeque<long[]> batchTimes = new ArrayDeque<>();

    Assignment(int partition, int slot, long startOffset, NavigableSet<Long> alreadyHandled) {
        this.partition = partition;
        this.slot = slot;
        this.startOffset = startOffset;
        this.alreadyHandled = alreadyHandled;
    }

    synchronized void dispatched(long lastOffset, long firstTimestamp) {
        batchTimes.addLast(new long[] {lastOffset, firstTimestamp});
    }

    /** Keeps {@code batch}, holding {@code tasks} tasks, until its last one finishes; before any is submitted. */
    void holding(DispatchedBatch batch, int tasks) {
        if (tasks > 0) {
            batch.held(tasks);
            inFlightBatches.add(batch);
        }
    }

    /** {@code task}, a record of this ownership, finished. */
    void finished(RawRecord task) {
        if (task.batch.finished(task)) {
            inFlightBatches.remove(task.batch);
        }
    }

    /** Hand-overs with a record in flight now (one finished with its last record is let go). */
    int batchesHeld() {
        return inFlightBatches.size();
    }

    /** The task of this ownership's record at {@code offset} if it is in flight now; else null. */
    RawRecord inFlight(long offset) {
        for (DispatchedBatch batch : inFlightBatches) {
            RawRecord task = batch.inFlight(offset);
            if (task != null) {
                return task;
            }
        }
        return null;
    }

    /**
     * The timestamp of the oldest dispatched batch that still holds a record at or above the commit point
     * {@code next} (a conservative time lag: its first record is the oldest); -1 if none. Forgets the
     * batches behind it.
     */
    synchronized long oldestUnhandledTimestamp(long next) {
        while (!batchTimes.isEmpty() && batchTimes.peekFirst()[0] < next) {
            batchTimes.pollFirst();
        }
        long[] oldest = batchTimes.peekFirst();
        return oldest == null ? -1 : oldest[1];
    }
}
