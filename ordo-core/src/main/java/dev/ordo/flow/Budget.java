package dev.ordo.flow;

import dev.ordo.OverloadedException;
import java.util.concurrent.TimeUnit;
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
 * Thread-safe.
 */
public final class Budget {

    private final long maxCount;
    private final long maxBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private long count;
    private long bytes;
    private long peakCount;

    private Budget(long maxCount, long maxBytes) {
        if (maxCount < 1) {
            throw new IllegalArgumentException("maxCount must be >= 1, was " + maxCount);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be >= 1, was " + maxBytes);
        }
        this.maxCount = maxCount;
        this.maxBytes = maxBytes;
    }

    /** A budget of {@code maxCount} messages and {@code maxBytes} bytes. */
    public static Budget of(long maxCount, long maxBytes) {
        return new Budget(maxCount, maxBytes);
    }

    /** Takes one permit and {@code size} bytes if both are available now. */
    public boolean tryAcquire(long size) {
        checkSize(size);
        lock.lock();
        try {
            if (!fits(size)) {
                return false;
            }
            take(size);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Takes one permit and {@code size} bytes, waiting as long as needed. */
    public void acquire(long size) throws InterruptedException {
        checkSize(size);
        lock.lockInterruptibly();
        try {
            while (!fits(size)) {
                released.await();
            }
            take(size);
        } finally {
            lock.unlock();
        }
    }

    /** Takes one permit and {@code size} bytes, waiting at most {@code timeout}; false if it ran out. */
    public boolean acquire(long size, long timeout, TimeUnit unit) throws InterruptedException {
        checkSize(size);
        long remaining = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (!fits(size)) {
                if (remaining <= 0) {
                    return false;
                }
                remaining = released.awaitNanos(remaining);
            }
            take(size);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Takes one permit and {@code size} bytes or throws {@link OverloadedException} naming what is spent. */
    public void acquireOrThrow(long size) {
        if (!tryAcquire(size)) {
            lock.lock();
            try {
                throw new OverloadedException("budget spent: " + count + " of " + maxCount + " messages and "
                        + bytes + " of " + maxBytes + " bytes in flight; a message of " + size + " bytes does not fit");
            } finally {
                lock.unlock();
            }
        }
    }

    /** Gives back one permit and {@code size} bytes taken earlier. */
    public void release(long size) {
        lock.lock();
        try {
            if (count < 1 || size < 0 || size > bytes) {
                throw new IllegalStateException("release of " + size + " bytes does not match an acquire ("
                        + count + " messages, " + bytes + " bytes held)");
            }
            count--;
            bytes -= size;
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Messages admitted and not yet released. */
    public long count() {
        lock.lock();
        try {
            return count;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes admitted and not yet released. */
    public long bytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    /** The most messages ever admitted at once. */
    public long peakCount() {
        lock.lock();
        try {
            return peakCount;
        } finally {
            lock.unlock();
        }
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

    private boolean fits(long size) {
        return count < maxCount && bytes + size <= maxBytes;
    }

    private void take(long size) {
        count++;
        bytes += size;
        peakCount = Math.max(peakCount, count);
    }
}
