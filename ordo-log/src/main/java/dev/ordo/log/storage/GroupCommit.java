package dev.ordo.log.storage;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The durable offset of an every-batch log and the group commit that moves it: an appender waiting
 * for its batch forces the log for everyone whose write came before it, and appenders arriving while
 * that force is under way wait for the next one, which then covers all of them: many producers share
 * one fsync. Thread-safe.
 */
final class GroupCommit {

    /** A force of everything written so far; returns the offset after the last record it covers. */
    interface Force {
        long forceAll() throws IOException;
    }

    private final Object lock = new Object();
    private final AtomicLong forces = new AtomicLong();
    /** Only moves up: a change of the fsync policy may mark more durable while a force is under way. */
    private final AtomicLong durableOffset = new AtomicLong();

    /** Every offset below this one is on disk. Takes no lock. */
    long durableOffset() {
        return durableOffset.get();
    }

    /** Marks everything below {@code offset} durable (an open or a change of the fsync policy forced it). */
    void durableUpTo(long offset) {
        durableOffset.accumulateAndGet(offset, Math::max);
    }

    /**
     * Returns once every offset below {@code end} is on disk, forcing with {@code force} unless
     * another force covered it.
     */
    void await(long end, Force force) throws IOException {
        synchronized (lock) {
            if (durableOffset.get() >= end) {
                return;
            }
            long covered = force.forceAll();
            forces.incrementAndGet();
            durableUpTo(covered);
        }
    }

    /** Forces made (fewer than the appends that waited, when they are grouped). */
    long forces() {
        return forces.get();
    }
}
