package dev.ordo.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.OverloadedException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BudgetTest {

    @Test
    void boundsBothMessagesAndBytes() {
        Budget budget = Budget.of(2, 100);
        assertThat(budget.tryAcquire(60)).isTrue();
        assertThat(budget.tryAcquire(41)).as("bytes").isFalse();
        assertThat(budget.tryAcquire(40)).isTrue();
        assertThat(budget.tryAcquire(0)).as("count").isFalse();
        assertThatThrownBy(() -> budget.acquireOrThrow(0))
                .isInstanceOf(OverloadedException.class)
                .hasMessageContaining("2 of 2 messages and 100 of 100 bytes");
        budget.release(60);
        assertThat(budget.count()).isEqualTo(1);
        assertThat(budget.bytes()).isEqualTo(40);
        assertThat(budget.peakCount()).isEqualTo(2);
    }

    @Test
    void acquireWaitsForARelease() throws Exception {
        Budget budget = Budget.of(1, 10);
        budget.acquire(10);
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
            try {
                budget.acquire(5);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(5)).until(() -> !waiting.isDone());
        budget.release(10);
        waiting.get(5, TimeUnit.SECONDS);
        assertThat(budget.bytes()).isEqualTo(5);
        assertThat(budget.acquire(1, 1, TimeUnit.MILLISECONDS))
                .as("timed acquire gives up")
                .isFalse();
    }

    @Test
    void badInputIsRefusedAndStateIsIntact() {
        Budget budget = Budget.of(1, 10);
        assertThatThrownBy(() -> budget.tryAcquire(11)).hasMessage("size must be <= the byte budget (10), was 11");
        assertThatThrownBy(() -> budget.tryAcquire(-1)).hasMessage("size must be >= 0 bytes, was -1");
        assertThatThrownBy(() -> budget.release(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Budget.of(0, 1)).hasMessage("maxCount must be >= 1, was 0");
        assertThat(budget.count()).isZero();
    }

    @Test
    void backoffDoublesUpToItsCap() {
        Backoff backoff = Backoff.exponential(Duration.ofMillis(10), Duration.ofMillis(35));
        assertThat(backoff.delayNanos(1)).isEqualTo(10_000_000);
        assertThat(backoff.delayNanos(2)).isEqualTo(20_000_000);
        assertThat(backoff.delayNanos(3)).isEqualTo(35_000_000);
        assertThat(backoff.delayNanos(1_000)).isEqualTo(35_000_000);
        assertThatThrownBy(() -> Backoff.exponential(Duration.ZERO, Duration.ofMillis(1)))
                .hasMessage("initial backoff must be > 0, was PT0S");
    }

    @Test
    void aBatchOfMessagesIsReleasedAtOnceAndNeverMoreThanWasTaken() {
        Budget budget = Budget.of(10, 1_000);
        for (int i = 0; i < 3; i++) {
            assertThat(budget.tryAcquire(100)).isTrue();
        }
        assertThatThrownBy(() -> budget.release(4, 300))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("4 permits");
        assertThat(budget.count()).as("a refused release gives nothing back").isEqualTo(3);
        assertThat(budget.bytes()).isEqualTo(300);
        budget.release(3, 300);
        assertThat(budget.count()).isZero();
        assertThat(budget.bytes()).isZero();
        assertThatThrownBy(() -> budget.release(0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("permits");
    }
}
