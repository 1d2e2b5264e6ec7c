package dev.ordo.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Many threads acquire and release random sizes concurrently. The budget must never admit more
 * than its bounds (checked by independent counters held between acquire and release), and no
 * blocked acquirer may miss its wake-up (every thread finishes; a lost wake-up hangs the test
 * into its timeout).
 */
class BudgetStressTest {

    @RepeatedTest(5)
    void neverAdmitsBeyondItsBoundsAndNeverLosesAWakeUp() throws Exception {
        Budget budget = Budget.of(3, 100);
        AtomicLong holders = new AtomicLong();
        AtomicLong heldBytes = new AtomicLong();
        AtomicLong worstHolders = new AtomicLong();
        AtomicLong worstBytes = new AtomicLong();
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long seed = t;
            done.add(CompletableFuture.runAsync(
                    () -> {
                        SplittableRandom random = new SplittableRandom(seed);
                        for (int i = 0; i < 20_000; i++) {
                            long size = random.nextInt(0, 61);
                            try {
                                if (random.nextBoolean()) {
                                    budget.acquire(size);
                                } else if (!budget.tryAcquire(size)) {
                                    continue;
                                }
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                            worstHolders.accumulateAndGet(holders.incrementAndGet(), Math::max);
                            worstBytes.accumulateAndGet(heldBytes.addAndGet(size), Math::max);
                            heldBytes.addAndGet(-size);
                            holders.decrementAndGet();
                            budget.release(size);
                        }
                    },
                    pool));
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(50, TimeUnit.SECONDS);
        pool.shutdown();

        assertThat(worstHolders.get()).isBetween(1L, 3L);
        assertThat(worstBytes.get()).isLessThanOrEqualTo(100);
        assertThat(budget.count()).isZero();
        assertThat(budget.bytes()).isZero();
        assertThat(budget.peakCount()).isLessThanOrEqualTo(3);
    }
}
