package dev.ordo.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link KeyOrderedExecutor#setConcurrency} and {@link KeyOrderedExecutor#setRetry} while tasks run. */
class KeyOrderedExecutorReconfigureTest {

    @Test
    void aSmallerConcurrencyRunsNoMoreTasksAtOnceAndALargerOneRunsMore() throws Exception {
        try (KeyOrderedExecutor<Integer> executor = KeyOrderedExecutor.<Integer>builder()
                .concurrency(8)
                .threadName("resized")
                .build()) {
            executor.setConcurrency(2);
            assertThat(executor.concurrency()).isEqualTo(2);
            // A surplus worker may take one more turn before it ends (its wake-up can race a new task).
            await().atMost(Duration.ofSeconds(30)).until(() -> workers("resized") == 2);
            assertThat(maxRunningAtOnce(executor, 2)).isEqualTo(2);

            executor.setConcurrency(6);
            assertThat(maxRunningAtOnce(executor, 6)).isEqualTo(6);
        }
    }

    /** Live worker threads of the executor whose threads are named {@code name}. */
    private static long workers(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(name + "-worker-"))
                .count();
    }

    /**
     * Submits tasks of 12 keys that each wait (at most 200 ms) for one more to run at once than
     * {@code expected}, which a pool of {@code expected} workers never lets happen; returns the most that ran
     * at once.
     */
    private static int maxRunningAtOnce(KeyOrderedExecutor<Integer> executor, int expected) throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        CountDownLatch enough = new CountDownLatch(expected + 1);
        List<CompletableFuture<KeyOrderedExecutor.Outcome>> done = new ArrayList<>();
        for (int key = 0; key < 12; key++) {
            done.add(executor.submit(key, () -> {
                max.accumulateAndGet(running.incrementAndGet(), Math::max);
                enough.countDown();
                enough.await(200, TimeUnit.MILLISECONDS);
                running.decrementAndGet();
            }));
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        return max.get();
    }

    @Test
    void aNewRetryAppliesFromATasksNextFailedAttempt() throws Exception {
        try (KeyOrderedExecutor<String> executor = KeyOrderedExecutor.<String>builder()
                .concurrency(1)
                .retry(Retry.exponential(2, Duration.ofMillis(1), Duration.ofMillis(1)))
                .build()) {
            AtomicInteger attempts = new AtomicInteger();
            CountDownLatch secondAttempt = new CountDownLatch(1);
            CountDownLatch retryChanged = new CountDownLatch(1);
            CompletableFuture<KeyOrderedExecutor.Outcome> outcome = executor.submit("k", () -> {
                int attempt = attempts.incrementAndGet();
                if (attempt == 2) {
                    secondAttempt.countDown();
                    retryChanged.await(); // fails its last attempt by the old setting only after the change
                }
                if (attempt < 4) {
                    throw new IllegalStateException("attempt " + attempt);
                }
            });
            secondAttempt.await();
            executor.setRetry(Retry.exponential(4, Duration.ofMillis(1), Duration.ofMillis(1)));
            retryChanged.countDown();

            assertThat(outcome.get(30, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.SUCCEEDED);
            assertThat(attempts.get()).isEqualTo(4);
            assertThat(executor.parked()).isEmpty();
            assertThat(executor.retry().maxAttempts()).isEqualTo(4);
        }
    }

    @Test
    void badSettingsAreRefusedAndTheOldOnesStay() {
        try (KeyOrderedExecutor<String> executor =
                KeyOrderedExecutor.<String>builder().concurrency(3).build()) {
            assertThatThrownBy(() -> executor.setConcurrency(0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("concurrency must be >= 1, was 0");
            assertThatThrownBy(() -> executor.setRetry(null)).isInstanceOf(NullPointerException.class);
            assertThat(executor.concurrency()).isEqualTo(3);
            assertThat(executor.retry()).isEqualTo(Retry.none());
        }
    }

    @Test
    void shrinkingWhileEveryWorkerIsBusyLetsTheRunningTasksFinish() throws Exception {
        try (KeyOrderedExecutor<Integer> executor =
                KeyOrderedExecutor.<Integer>builder().concurrency(4).build()) {
            CountDownLatch allRunning = new CountDownLatch(4);
            CountDownLatch release = new CountDownLatch(1);
            List<CompletableFuture<KeyOrderedExecutor.Outcome>> done = new ArrayList<>();
            for (int key = 0; key < 4; key++) {
                done.add(executor.submit(key, () -> {
                    allRunning.countDown();
                    release.await();
                }));
            }
            allRunning.await();
            executor.setConcurrency(1);
            release.countDown();
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(
                            () -> assertThat(maxRunningAtOnce(executor, 1)).isEqualTo(1));
        }
    }
}
