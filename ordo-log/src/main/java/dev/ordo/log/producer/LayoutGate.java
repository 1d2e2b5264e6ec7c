package dev.ordo.log.producer;

import dev.ordo.OrdoInterruptedException;
import dev.ordo.OverloadedException;
import dev.ordo.partition.TopicLayout;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The partition count a producer places records by, and the gate a change of the count closes: while
 * it is closed no record is placed (sends wait, at most {@code maxBlock}), so that every record placed
 * by the old count is appended before the new layout begins. Guarded by the producer's lock.
 */
final class LayoutGate {

    private final Condition opened;
    private final long maxBlockNanos;
    private final String topic;
    /** The count records are placed by (written under the lock, read without it for a first guess). */
    private volatile int partitions;

    private boolean closed;
    /** How many layouts the count placed by comes from: a later one never gives way to an earlier. */
    private int layouts;

    LayoutGate(ReentrantLock lock, TopicLayout layout, Duration maxBlock, String topic) {
        this.opened = lock.newCondition();
        this.partitions = layout.partitions();
        this.layouts = layout.layouts().size();
        this.maxBlockNanos = maxBlock.toNanos();
        this.topic = topic;
    }

    /** The count records are placed by now (a guess unless the lock is held). */
    int partitions() {
        return partitions;
    }

    /** Closes the gate (lock held). */
    void close() {
        closed = true;
    }

    /**
     * Places by {@code layout}'s count from now on, unless the gate already places by a later layout (a
     * producer made during two quick changes may be told of the first after the second), and lets waiting
     * sends go (lock held).
     */
    void open(TopicLayout layout) {
        if (layout.layouts().size() >= layouts) {
            layouts = layout.layouts().size();
            partitions = layout.partitions();
        }
        closed = false;
        opened.signalAll();
    }

    /** Whether records may be placed now (lock held). */
    boolean isOpen() {
        return !closed;
    }

    /**
     * Waits (lock held, released while waiting) until the gate is open.
     *
     * @throws OverloadedException if it stayed closed for {@code maxBlock}; nothing was queued
     */
    void awaitOpen() {
        long remaining = maxBlockNanos;
        try {
            while (closed) {
                if (remaining <= 0) {
                    throw new OverloadedException("topic '" + topic + "' was changing its partition count for longer"
                            + " than maxBlock (" + Duration.ofNanos(maxBlockNanos) + ")");
                }
                remaining = opened.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrdoInterruptedException("interrupted while topic '" + topic + "' changed its partitions", e);
        }
    }
}
