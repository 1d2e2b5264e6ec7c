package dev.ordo.sequence;

import dev.ordo.Ticker;
import dev.ordo.time.ArrivalModel;
import java.util.Objects;

/**
 * See {@link GapPolicy#skipAfter(ArrivalModel, double)}: each gap that fills tells the model of its
 * source how long it waited, each message that arrives after its skip how much longer it would have
 * needed, and each source's gaps wait as long as the model says that source needs now.
 */
final class SkipAfterLearnedTimeout extends SkipAfter {

    private final ArrivalModel model;
    private final double quantile;

    SkipAfterLearnedTimeout(ArrivalModel model, double quantile) {
        if (!(quantile > 0 && quantile < 1)) {
            throw new IllegalArgumentException("quantile must be in (0, 1), was " + quantile);
        }
        this.model = Objects.requireNonNull(model, "model must not be null");
        this.quantile = quantile;
    }

    @Override
    void headFilled(SourceState<?> source, Ticker ticker) {
        model.record(source.id, model.dayClock().millis(), toMillisRoundingUp(ticker.read() - source.waitingSince()));
    }

    @Override
    void lateArrival(SourceState<?> source, long skippedAt, Ticker ticker) {
        // A censored sample: it needed at least the timeout it got plus the time since the skip.
        model.record(
                source.id,
                model.dayClock().millis(),
                toMillisRoundingUp(timeoutNanos(source) + ticker.read() - skippedAt));
    }

    @Override
    long timeoutNanos(SourceState<?> source) {
        long millis = model.bound(source.id, model.dayClock().millis(), quantile);
        return millis > Long.MAX_VALUE / 1_000_000 ? Long.MAX_VALUE : millis * 1_000_000;
    }

    private static long toMillisRoundingUp(long nanos) {
        return (Math.max(0, nanos) + 999_999) / 1_000_000;
    }

    @Override
    public String toString() {
        return "skipAfter(" + model + ", " + quantile + ")";
    }
}
