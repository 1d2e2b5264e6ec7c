package dev.ordo.flow;

import dev.ordo.Arguments;
import dev.ordo.OverloadedException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bound on work in flight, in messages and in bytes: every admitted message takes one permit
 * and its size in bytes until it is {@link #release released}.
 *
 * <p>{@link #acquire} blocks while the budget is spent; {@link #tryAcquire} answers at once;
 * {@link #acquireOrThrow} throws {@link OverloadedException}. A single message larger than the
 * whole byte budget is a programming error and is refused with {@link IllegalArgumentException}
 * (it could never be admitted).
 *
 * <pre>{@code
 * Budget budget = Budget.of(10_000, 64 << 20);
 * budget.acquire(record.sizeInBytes());
 * try { process(record); } finally { budget.release(record.sizeInBytes()); }
 * }</pre>
 *
 * Thread-safe and lock-free unless a caller has to wait.
 */
public final class Budget {

    private final long maxCount;
    private final long maxBytes;
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong peakCount = new AtomicLong();
    /** Blocked acquirers park here; releasers only take the lock when someone waits. */
    private final ReentrantLock lock = new ReentrantLock();

    private final Condition released = lock.newCondition();
    private volatile int waiters;

    private Budget(long maxCount, long maxBytes) {
        Arguments.atLeast("maxCount", maxCount, 1);
        Arguments.atLeast("maxBytes", maxBytes, 1);
        this.maxCount = maxCount;
        this.maxBytes = maxBytes;
    }

    /** A budget of {@code maxCount} messages and {@code maxBytes} bytes. */
    public static Budget of(long maxCount, long maxBytes) {
        return new Budget(maxCount, maxBytes);
    }

    /**
     * Takes one permit and {@code size} bytes if both are available now. At the very edge of the
     * budget a concurrent claim that does not fit (and is given back at once) can make this fail.
     */
    public boolean tryAcquire(long size) {
        checkSize(size);
        return tryTake(size);
    }

    /** Takes one permit and {@code size} bytes, waiting as long as needed. */
    public void acquire(long size) throws InterruptedException {
        checkSize(size);
        if (tryTake(size)) {
            return;
        }
        lock.lockInterruptibly();
        try {
            waiters++;
            try {
                while (!tryTake(size)) {
                    released.await();
                }
            } finally {
                waiters--;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Takes one permit and {@code size} bytes, waiting at most {@code timeout}; false if it ran out. */
    public boolean acquire(long size, long timeout, TimeUnit unit) throws InterruptedException {
        checkSize(size);
        if (tryTake(size)) {
            return true;
        }
        long remaining = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            waiters++;
            try {
                while (!tryTake(size)) {
                    if (remaining <= 0) {
                        return false;
                    }
                    remaining = released.awaitNanos(remaining);
                }
                return true;
            } finally {
                waiters--;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Takes one permit and {@code size} bytes or throws {@link OverloadedException} naming what is spent. */
    public void acquireOrThrow(long size) {
        if (!tryAcquire(size)) {
            throw new OverloadedException(
                    "budget spent: " + count.get() + " of " + maxCount + " messages and " + bytes.get() + " of "
                            + maxBytes + " bytes in flight; a message of " + size + " bytes does not fit");
        }
    }

    /** Gives back one permit and {@code size} bytes taken earlier. */
    public void release(long size) {
        release(1, size);
    }

    /**
     * Gives back {@code permits} permits and {@code size} bytes taken earlier by that many acquires
     * (a batch of messages leaving together).
     *
     * @throws IllegalStateException if fewer than {@code permits} permits are taken; nothing is given back
     */
    public void release(long permits, long size) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be >= 1, was " + permits);
        }
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0 bytes, was " + size);
        }
        if (count.getAndUpdate(c -> c >= permits ? c - permits : c) < permits) {
            throw new IllegalStateException(
                    "release of " + permits + " permits and " + size + " bytes without as many matching acquires");
        }
        bytes.addAndGet(-size);
        wakeWaiters();
    }

    /** Messages admitted and not yet released. */
    public long count() {
        return count.get();
    }

    /** Bytes admitted and not yet released. */
    public long bytes() {
        return bytes.get();
    }

    /** The most messages ever admitted at once. */
    public long peakCount() {
        return peakCount.get();
    }

    public long maxCount() {
        return maxCount;
    }

    public long maxBytes() {
        return maxBytes;
    }

    private void checkSize(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0 bytes, was " + size);
        }
        if (size > maxBytes) {
            throw new IllegalArgumentException("size must be <= the byte budget (" + maxBytes + "), was " + size);
        }
    }

    /**
     * Claims a permit, then the bytes, each with one atomic add (no compare-and-set loop to retry when
     * other threads take and release at the same time, as a consumer's fetcher and its handlers do),
     * and gives back what does not fit. A claim given back may briefly make another one fail; every
     * give-back wakes the waiters, so a blocked acquirer retries.
     */
    private boolean tryTake(long size) {
        long c = count.incrementAndGet();
        if (c > maxCount) {
            count.decrementAndGet();
            wakeWaiters();
            return false;
        }
        if (size > 0) {
            long b = bytes.addAndGet(size);
            if (b > maxBytes || b < 0) { // b < 0: overflow of an unbounded (Long.MAX_VALUE) budget
                bytes.addAndGet(-size);
                count.decrementAndGet();
                wakeWaiters();
                return false;
            }
        }
        long peak = peakCount.get();
        while (c > peak && !peakCount.compareAndSet(peak, c)) {
            peak = peakCount.get();
        }
        return true;
    }

    private void wakeWaiters() {
        if (waiters > 0) {
            lock.lock();
            try {
                released.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
