package dev.ordo;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Ticker} that only moves when told to: the clock of deterministic tests and simulations.
 *
 * <pre>{@code
 * ManualTicker ticker = new ManualTicker();
 * Resequencer<String, Order> r = Resequencer.<String, Order>builder().ticker(ticker)...;
 * ticker.advance(Duration.ofSeconds(1));   // the gap timeout has now elapsed
 * r.tick();
 * }</pre>
 *
 * Thread-safe.
 */
public final class ManualTicker implements Ticker {

    private final AtomicLong nanos = new AtomicLong();

    @Override
    public long read() {
        return nanos.get();
    }

    /** Moves time forward by {@code duration}, which must not be negative. */
    public void advance(Duration duration) {
        advanceNanos(duration.toNanos());
    }

    /** Moves time forward by {@code delta} nanoseconds, which must not be negative. */
    public void advanceNanos(long delta) {
        if (delta < 0) {
            throw new IllegalArgumentException("delta must be >= 0 ns, was " + delta);
        }
        nanos.addAndGet(delta);
    }
}
