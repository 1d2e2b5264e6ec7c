package dev.ordo.sequence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The {@link ResequencerLock} released by a plain ordered store: it still excludes, is reentrant, wakes
 * the threads waiting for it, and its {@code awaitNanos} is ended by a signal. (The Resequencer's
 * Lincheck tests check it under model checking and stress as part of the resequencer.)
 */
class ResequencerLockTest {

    private final ResequencerLock lock = new ResequencerLock();
    private long counter;

    @Test
    void threadsIncrementingUnderTheLockLoseNoIncrement() throws InterruptedException {
        int threads = 4;
        int increments = 200_000;
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread thread = new Thread(() -> {
                awaitQuietly(start);
                for (int i = 0; i < increments; i++) {
                    lock.lock();
                    try {
                        long read = counter;
                        Thread.onSpinWait(); // widens the window in which a second holder would lose this update
                        counter = read + 1;
                    } finally {
                        lock.unlock();
                    }
                }
            });
            thread.start();
            started.add(thread);
        }
        for (Thread thread : started) {
            thread.join();
        }

        assertThat(counter).isEqualTo((long) threads * increments);
    }

    private static void awaitQuietly(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (InterruptedException | BrokenBarrierException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theHolderMayTakeItAgainButLockUnlessHeldRefusesIt() throws InterruptedException {
        lock.lock();
        lock.lock();
        assertThat(lock.lockUnlessHeld()).as("held by the caller already").isFalse();
        lock.unlock();
        lock.unlock();

        CountDownLatch taken = new CountDownLatch(1);
        Thread other = new Thread(() -> {
            assertThat(lock.lockUnlessHeld()).isTrue();
            taken.countDown();
            lock.unlock();
        });
        other.start();
        assertThat(taken.await(10, TimeUnit.SECONDS))
                .as("free once released as often as taken")
                .isTrue();
        other.join();
    }

    @Test
    void aThreadParkedForTheLockGetsItOnceReleased() throws InterruptedException {
        lock.lock();
        CountDownLatch taken = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            lock.lock();
            taken.countDown();
            lock.unlock();
        });
        waiter.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
        assertThat(taken.getCount()).as("excluded while held").isEqualTo(1);

        lock.unlock();

        assertThat(taken.await(10, TimeUnit.SECONDS)).isTrue();
        waiter.join();
    }

    @Test
    void aSignalEndsAnAwaitLongBeforeItsTimeout() throws InterruptedException {
        CountDownLatch awaiting = new CountDownLatch(1);
        CountDownLatch woke = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            lock.lock();
            try {
                awaiting.countDown();
                lock.awaitNanos(TimeUnit.MINUTES.toNanos(5));
                woke.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        });
        waiter.start();
        assertThat(awaiting.await(10, TimeUnit.SECONDS)).isTrue();

        lock.lock(); // granted once the waiter let go of it in awaitNanos
        try {
            lock.signalAll();
        } finally {
            lock.unlock();
        }

        assertThat(woke.await(20, TimeUnit.SECONDS))
                .as("woken by the signal, not by its 5 minute timeout")
                .isTrue();
        waiter.join();
    }
}
