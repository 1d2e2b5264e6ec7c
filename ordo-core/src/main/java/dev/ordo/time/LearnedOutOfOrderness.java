package dev.ordo.time;

import java.util.Objects;

/**
 * See {@link WatermarkStrategy#forLearnedOutOfOrderness}: every event's out-of-orderness (how far it
 * is behind the newest event of its source) goes into an {@link ArrivalModel} under its source and
 * its time of day; the bound is the model's estimate over all sources at the time of day of the
 * slowest source's newest event. Guarded by the reorderer's lock (the model has its own).
 */
final class LearnedOutOfOrderness {

    private final ArrivalModel model;
    private final double quantile;
    private long lastBoundMillis;

    LearnedOutOfOrderness(ArrivalModel model, double quantile) {
        ArrivalModel.checkQuantile(quantile);
        this.model = Objects.requireNonNull(model, "model must not be null");
        this.quantile = quantile;
    }

    /** An event of {@code source} at {@code timestamp} arrived when its source's newest was {@code newest}. */
    void record(Object source, long timestamp, long newest) {
        long behind = newest == Long.MIN_VALUE ? 0 : Math.max(0, newest - timestamp);
        model.record(source, timestamp, behind);
    }

    /** The bound for a watermark taken from the newest timestamp {@code newest}. */
    long boundMillis(long newest) {
        lastBoundMillis = model.bound(newest, quantile);
        return lastBoundMillis;
    }

    /** The bound computed last, for statistics. */
    long lastBoundMillis() {
        return lastBoundMillis;
    }

    @Override
    public String toString() {
        return "learned(" + model + ", q=" + quantile + ")";
    }
}
