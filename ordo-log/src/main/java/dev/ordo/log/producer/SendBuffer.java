package dev.ordo.log.producer;

import dev.ordo.OrdoInterruptedException;
import dev.ordo.OverloadedException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The send buffer of a {@link BatchSender}: the most bytes of records (with their heap overhead) queued
 * or being written. It has no lock of its own: sending threads wait and reserve under the sender's
 * lock, which they hold anyway to add a record to its batch; the sender thread gives back once per
 * written batch without it, and takes it only to wake sends that wait for space.
 */
final class SendBuffer {

    private final ReentrantLock lock;
    /** Signalled (under {@code lock}) when the sender gives buffer space back while a send waits for it. */
    private final Condition space;

    private final long capacity;
    private final long maxBlockNanos;
    private final String topic;
    private final BooleanSupplier closed;
    /**
     * Bytes ever reserved (guarded by {@code lock}, which {@code send} holds anyway): accounting per
     * record with atomic adds on a shared counter, as a {@code Budget} does, was 40% of a sending
     * thread's time at 1 M records/s (the sender thread gives back on the same line).
     */
    private long reserved;
    /** Bytes ever given back by the sender thread, once per written batch; in use = reserved - released. */
    private final AtomicLong released = new AtomicLong();
    /** Sends waiting for space (changed under {@code lock}; read by the sender without it). */
    private volatile int waiting;

    /**
     * @param lock the sender's lock, under which every method but {@link #release} is called
     * @param closed whether the producer is closed (a send waiting for space then gives up)
     */
    SendBuffer(ReentrantLock lock, long capacity, Duration maxBlock, String topic, BooleanSupplier closed) {
        this.lock = lock;
        this.space = lock.newCondition();
        this.capacity = capacity;
        this.maxBlockNanos = maxBlock.toNanos();
        this.topic = topic;
        this.closed = closed;
    }

    /** The most bytes the buffer holds ({@code bufferBytes}). */
    long capacity() {
        return capacity;
    }

    /**
     * Waits (under {@code lock}, which the wait gives up meanwhile) until {@code cost} more bytes fit
     * the send buffer, for at most {@code maxBlock}; reserves nothing itself.
     *
     * @throws IllegalStateException if the producer is (or while waiting was) closed
     * @throws OverloadedException if the buffer stayed full for {@code maxBlock}
     * @throws OrdoInterruptedException if the wait was interrupted (the flag set again)
     */
    void awaitSpace(long cost) {
        if (closed.getAsBoolean()) {
            throw new IllegalStateException("producer for topic '" + topic + "' is closed");
        }
        if (fits(cost)) {
            return;
        }
        long remaining = maxBlockNanos;
        // Announced before the check that decides to wait, and the sender gives back before it reads
        // the announcement (both volatile): either this check sees the space or the sender signals.
        waiting++;
        try {
            while (!fits(cost)) {
                if (remaining <= 0) {
                    throw new OverloadedException("send buffer of " + capacity + " bytes stayed full for "
                            + Duration.ofNanos(maxBlockNanos) + "; the log cannot keep up");
                }
                remaining = space.awaitNanos(remaining);
                if (closed.getAsBoolean()) {
                    throw new IllegalStateException("producer for topic '" + topic + "' is closed");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrdoInterruptedException("interrupted while waiting for send buffer space", e);
        } finally {
            waiting--;
        }
    }

    /** Whether {@code cost} more bytes fit the send buffer now (under {@code lock}). */
    private boolean fits(long cost) {
        return reserved + cost - released.get() <= capacity;
    }

    /** Counts a queued record's {@code cost} as in use (under {@code lock}): from here the sender gives it back. */
    void reserve(long cost) {
        reserved += cost;
    }

    /** Gives a written batch's space back (sender thread, without the lock), waking sends that wait for it. */
    void release(long bytes) {
        released.addAndGet(bytes);
        if (waiting > 0) {
            lock.lock();
            try {
                space.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Bytes in use: records queued or being written, with their overhead (takes the lock; for tests). */
    long inUse() {
        lock.lock();
        try {
            return reserved - released.get();
        } finally {
            lock.unlock();
        }
    }
}
