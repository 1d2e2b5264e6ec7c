package dev.ordo.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.exec.KeyOrderedExecutor;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AdaptiveConcurrencyLimitTest {

    private static final long MS = 1_000_000;

    @Test
    void growsByOneWhileUsedAndFastAndShrinksMultiplicativelyWhenSlow() throws Exception {
        AdaptiveConcurrencyLimit limit = AdaptiveConcurrencyLimit.targeting(Duration.ofMillis(10))
                .withBounds(1, 100)
                .withWindow(2);
        assertThat(limit.limit()).isEqualTo(16);
        fillAndComplete(limit, 16, 5 * MS);
        assertThat(limit.limit()).as("fast and fully used: +1").isEqualTo(17);
        fillAndComplete(limit, 2, 5 * MS);
        assertThat(limit.limit()).as("fast but not used: unchanged").isEqualTo(17);
        fillAndComplete(limit, 2, 50 * MS);
        assertThat(limit.limit()).as("slow: x0.9").isEqualTo(15);
        for (int i = 0; i < 100; i++) {
            fillAndComplete(limit, 1, 50 * MS);
        }
        assertThat(limit.limit()).as("never below the minimum").isEqualTo(1);
    }

    @Test
    void callsBeyondTheLimitWaitForASlot() throws Exception {
        AdaptiveConcurrencyLimit limit =
                AdaptiveConcurrencyLimit.targeting(Duration.ofMillis(10)).withBounds(1, 1);
        limit.acquire();
        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> {
            try {
                limit.acquire();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(5)).until(() -> !second.isDone());
        limit.release(MS);
        second.get();
        assertThat(limit.inFlight()).isEqualTo(1);
    }

    @Test
    void theExecutorRunsNoMoreTasksAtOnceThanTheLimit() {
        AdaptiveConcurrencyLimit limit =
                AdaptiveConcurrencyLimit.targeting(Duration.ofSeconds(10)).withBounds(3, 3);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger worst = new AtomicInteger();
        try (KeyOrderedExecutor<Integer> executor = KeyOrderedExecutor.<Integer>builder()
                .concurrency(8)
                .concurrencyLimit(limit)
                .build()) {
            for (int i = 0; i < 200; i++) {
                executor.submit(i % 20, () -> {
                    worst.accumulateAndGet(running.incrementAndGet(), Math::max);
                    Thread.yield();
                    running.decrementAndGet();
                });
            }
        }
        assertThat(worst.get()).isBetween(1, 3);
    }

    @Test
    void badInputIsRefused() {
        assertThatThrownBy(() -> AdaptiveConcurrencyLimit.targeting(Duration.ZERO))
                .hasMessage("targetLatency must be > 0, was PT0S");
        assertThatThrownBy(() ->
                        AdaptiveConcurrencyLimit.targeting(Duration.ofMillis(1)).withBounds(5, 4))
                .hasMessage("bounds must satisfy 1 <= min <= max, were 5 and 4");
    }

    /** Starts {@code calls} calls, then completes them all with {@code latency}. */
    private static void fillAndComplete(AdaptiveConcurrencyLimit limit, int calls, long latency)
            throws InterruptedException {
        for (int i = 0; i < calls; i++) {
            limit.acquire();
        }
        for (int i = 0; i < calls; i++) {
            limit.release(latency);
        }
    }
}
