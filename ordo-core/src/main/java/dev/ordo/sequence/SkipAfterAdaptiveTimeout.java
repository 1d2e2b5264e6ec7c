package dev.ordo.sequence;

import dev.ordo.Ticker;
import dev.ordo.time.AdaptiveBound;
import java.util.Objects;

/**
 * See {@link GapPolicy#skipAfter(AdaptiveBound)}: learns from every gap that fills how long it
 * waited, and from every message that arrives after its skip how much longer it would have needed.
 */
final class SkipAfterAdaptiveTimeout extends SkipAfter {

    private final AdaptiveBound bound;

    SkipAfterAdaptiveTimeout(AdaptiveBound bound) {
        this.bound = Objects.requireNonNull(bound, "bound must not be null");
    }

    @Override
    void headFilled(SourceState<?> source, Ticker ticker) {
        bound.record(toMillisRoundingUp(ticker.read() - source.waitingSince()));
    }

    @Override
    void lateArrival(SourceState<?> source, long skippedAt, Ticker ticker) {
        // A censored sample: it needed at least the timeout it got plus the time since the skip.
        bound.record(toMillisRoundingUp(timeoutNanos(source) + ticker.read() - skippedAt));
    }

    @Override
    long timeoutNanos(SourceState<?> source) {
        return bound.boundMillis() * 1_000_000;
    }

    private static long toMillisRoundingUp(long nanos) {
        return (Math.max(0, nanos) + 999_999) / 1_000_000;
    }

    @Override
    public String toString() {
        return "skipAfter(" + bound + ")";
    }
}
