package dev.ordo.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.ManualTicker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

    private final ManualTicker ticker = new ManualTicker();

    @Test
    void aFullBucketAllowsTheBurstThenTheRate() {
        RateLimiter limiter = RateLimiter.perSecond(100).withBurst(10).withTicker(ticker);
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.tryAcquire(1)).isTrue();
        }
        assertThat(limiter.tryAcquire(1)).isFalse();
        assertThat(limiter.nanosUntilAvailable(1)).isEqualTo(10_000_000);
        ticker.advance(Duration.ofMillis(10));
        assertThat(limiter.tryAcquire(1)).isTrue();
        assertThat(limiter.tryAcquire(1)).isFalse();
        ticker.advance(Duration.ofSeconds(10));
        assertThat(limiter.nanosUntilAvailable(10))
                .as("never more than the burst saved")
                .isZero();
        assertThat(limiter.tryAcquire(10)).isTrue();
        assertThat(limiter.tryAcquire(1)).isFalse();
    }

    @Test
    void theRateCanChangeAtRuntime() {
        RateLimiter limiter = RateLimiter.perSecond(10).withBurst(1).withTicker(ticker);
        limiter.tryAcquire(1);
        assertThat(limiter.nanosUntilAvailable(1)).isEqualTo(100_000_000);
        limiter.setRate(1_000);
        assertThat(limiter.rate()).isEqualTo(1_000);
        assertThat(limiter.nanosUntilAvailable(1)).isEqualTo(1_000_000);
        ticker.advance(Duration.ofMillis(1));
        assertThat(limiter.tryAcquire(1)).isTrue();
    }

    @Test
    void acquireWaitsUntilTheClockHasRefilledTheBucket() throws Exception {
        RateLimiter limiter = RateLimiter.perSecond(1_000).withBurst(1).withTicker(ticker);
        limiter.acquire(1);
        CompletableFuture<Long> waiting = CompletableFuture.supplyAsync(() -> limiter.acquire(1));
        await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(5)).until(() -> !waiting.isDone());
        ticker.advance(Duration.ofMillis(1));
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isPositive();
    }

    @Test
    void badInputIsRefused() {
        assertThatThrownBy(() -> RateLimiter.perSecond(0)).hasMessage("rate must be > 0 permits a second, was 0.0");
        assertThatThrownBy(() -> RateLimiter.perSecond(10).withBurst(0.5)).hasMessage("burst must be >= 1, was 0.5");
        RateLimiter limiter = RateLimiter.perSecond(10).withBurst(5).withTicker(ticker);
        assertThatThrownBy(() -> limiter.tryAcquire(6)).hasMessage("permits must be in [1, burst (5.0)], was 6");
        assertThatThrownBy(() -> limiter.setRate(-1)).hasMessageContaining("was -1.0");
        assertThat(limiter.rate()).isEqualTo(10);
    }
}
