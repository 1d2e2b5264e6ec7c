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
    private volatile long durableOffset;

    /** Every offset below this one is on disk. Takes no lock. */
    long durableOffset() {
        return durableOffset;
    }

    /** Marks everything below {@code offset} durable (an open forced it). */
    void durableUpTo(long offset) {
        durableOffset = offset;
    }

    /**
     * Returns once every offset below {@code end} is on disk, forcing with {@code force} unless
     * another force covered it.
     */
    void await(long end, Force force) throws IOException {
        synchronized (lock) {
            if (durableOffset >= end) {
                return;
            }
            long covered = force.forceAll();
            forces.incrementAndGet();
            durableOffset = covered;
        }
    }

    /** Forces made (fewer than the appends that waited, when they are grouped). */
    long forces() {
        return forces.get();
    }
}
