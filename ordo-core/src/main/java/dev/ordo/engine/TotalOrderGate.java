package dev.ordo.engine;

import dev.ordo.causal.HybridTimestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets the records of all partitions through one at a time in the order (hybrid timestamp, partition),
 * each on the thread that handles it: a partition's record waits until every other partition has gone
 * past it (by a later record or a heartbeat) and no record before it is running.
 *
 * <p>A partition's stamps are made non-decreasing by raising each to the partition's frontier (the
 * highest stamp seen from it): several producers with different clocks may write one partition, and every
 * consumer reading the partition from the same offset raises the same stamps the same way, so the order
 * stays the same everywhere. One lock; waits say what they wait for.
 */
final class TotalOrderGate {

    private static final Logger LOG = LoggerFactory.getLogger(TotalOrderGate.class);
    private static final long REPORT_AFTER_NANOS = Duration.ofSeconds(10).toNanos();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Highest stamp (record or heartbeat) seen per partition; null: nothing yet. */
    private final HybridTimestamp[] frontier;

    private boolean running;
    private boolean closed;

    TotalOrderGate(int partitions) {
        this.frontier = new HybridTimestamp[partitions];
    }

    /**
     * Waits until the record of {@code partition} stamped {@code stamp} (raised to the partition's frontier)
     * is next in the total order, then marks it running; the caller must call {@link #leave()} when it is
     * handled.
     *
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalStateException if the gate is closed
     */
    void enter(int partition, HybridTimestamp stamp) throws InterruptedException {
        lock.lock();
        try {
            HybridTimestamp at = advance(partition, stamp);
            long waitingSince = System.nanoTime();
            long reportAt = waitingSince + REPORT_AFTER_NANOS;
            while (running || !passedByAllOthers(partition, at)) {
                if (closed) {
                    throw new IllegalStateException(
                            "total order closed while partition " + partition + "'s record stamped " + at + " waited");
                }
                changed.await(1, TimeUnit.SECONDS);
                if (System.nanoTime() - reportAt > 0) {
                    LOG.info(
                            "total order holds partition {}'s record stamped {} for {} s: waiting for partitions {}"
                                    + " to pass it (records or producer heartbeats)",
                            partition,
                            at,
                            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - waitingSince),
                            holdingBack(partition, at));
                    reportAt = System.nanoTime() + REPORT_AFTER_NANOS;
                }
            }
            running = true;
        } finally {
            lock.unlock();
        }
    }

    /** The record that {@link #enter entered} is handled (or failed): the next may run. */
    void leave() {
        lock.lock();
        try {
            running = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** {@code partition} promises no record stamped before {@code stamp}. */
    void heartbeat(int partition, HybridTimestamp stamp) {
        lock.lock();
        try {
            advance(partition, stamp);
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiting record with {@link IllegalStateException}. */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private HybridTimestamp advance(int partition, HybridTimestamp stamp) {
        if (partition < 0 || partition >= frontier.length) {
            throw new IllegalArgumentException("partition must be in [0, " + frontier.length + "), was " + partition);
        }
        HybridTimestamp previous = frontier[partition];
        HybridTimestamp at = previous == null || stamp.compareTo(previous) > 0 ? stamp : previous;
        frontier[partition] = at;
        changed.signalAll();
        return at;
    }

    /** No other partition can still deliver a record that sorts before (at, partition). */
    private boolean passedByAllOthers(int partition, HybridTimestamp at) {
        return holdingBack(partition, at).isEmpty();
    }

    private List<Integer> holdingBack(int partition, HybridTimestamp at) {
        List<Integer> behind = new ArrayList<>();
        for (int q = 0; q < frontier.length; q++) {
            if (q == partition) {
                continue;
            }
            HybridTimestamp other = frontier[q];
            int c = other == null ? -1 : other.compareTo(at);
            if (c < 0 || (c == 0 && q < partition)) {
                behind.add(q);
            }
        }
        return behind;
    }
}
