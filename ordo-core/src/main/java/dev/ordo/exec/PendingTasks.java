package dev.ordo.exec;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;

/**
 * The tasks a {@link KeyOrderedExecutor} accepted and has not ended, and the signal its close waits
 * on. A task that ends takes the close lock only when the executor is closing and nothing is left, so
 * that the running executor pays one atomic decrement per task.
 */
final class PendingTasks {

    private final ReentrantLock closeLock = new ReentrantLock();
    private final Condition drained = closeLock.newCondition();
    private final AtomicInteger count = new AtomicInteger();
    private volatile boolean closed;

    /** Tasks accepted: from here on a close waits for them. */
    void added(int tasks) {
        count.addAndGet(tasks);
    }

    /** A task ended (or was abandoned); the last one wakes a closing executor. */
    void ended() {
        if (count.decrementAndGet() == 0 && closed) {
            signalDrained();
        }
    }

    /** A key was parked: a closing executor waits only for keys that can still run, so it looks again. */
    void keyParked() {
        if (closed) {
            signalDrained();
        }
    }

    /** Tasks accepted and not ended. */
    int count() {
        return count.get();
    }

    /** From now on the executor accepts nothing, and the ending of tasks is signalled. */
    void close() {
        closed = true;
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Waits until every pending task but those {@code parked} holds has ended, or {@code deadlineNanos}
     * (of {@link System#nanoTime()}) passed. An interrupt ends the wait, the flag set again.
     */
    void awaitRunnableEnded(long deadlineNanos, IntSupplier parked) {
        closeLock.lock();
        try {
            // Re-checked now and then: the parked count moves without a signal when tasks queue behind a key.
            while (count.get() > parked.getAsInt()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                drained.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeLock.unlock();
        }
    }

    private void signalDrained() {
        closeLock.lock();
        try {
            drained.signalAll();
        } finally {
            closeLock.unlock();
        }
    }
}
