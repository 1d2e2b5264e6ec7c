package dev.ordo.time;

/**
 * A decaying histogram of delays in milliseconds: the quantile sketch behind one cell of an
 * {@link ArrivalModel}.
 *
 * <p>Buckets are those of {@link AdaptiveBound} (one per value below 8, then 8 per power of two), so
 * a quantile is reported as its bucket's upper edge: never below the exact quantile and at most 1/8
 * above it. Delays beyond {@link #MAX_DELAY_MILLIS} (about 24 days) count in the last bucket. Counts
 * are halved every {@code halfLife} samples, so the sketch follows a change in the delays within a
 * few half-lives while its memory stays fixed: {@value #BUCKETS} floats, about 1 KB. The last
 * quantile asked for is cached and recomputed once {@value #RECOMPUTE_EVERY} samples have arrived.
 * Not thread-safe: the model guards it.
 */
final class DelaySketch {

    static final long MAX_DELAY_MILLIS = Integer.MAX_VALUE;
    static final int BUCKETS = AdaptiveBound.bucketOf(MAX_DELAY_MILLIS) + 1;
    private static final int RECOMPUTE_EVERY = 16;

    private final int halfLife;
    private final float[] counts = new float[BUCKETS];
    private double weight;
    private long samples;

    private double cachedQuantile = Double.NaN;
    private long cachedAtSample = -RECOMPUTE_EVERY;
    private long cachedMillis;

    DelaySketch(int halfLife) {
        this.halfLife = halfLife;
    }

    void record(long delayMillis) {
        counts[AdaptiveBound.bucketOf(Math.min(delayMillis, MAX_DELAY_MILLIS))]++;
        weight++;
        samples++;
        if (samples % halfLife == 0) {
            // Halving is exact in binary floating point: the shape, and so every quantile, stays.
            for (int i = 0; i < BUCKETS; i++) {
                counts[i] *= 0.5f;
            }
            weight *= 0.5;
        }
    }

    /** The decayed number of samples: how much the sketch knows. */
    double weight() {
        return weight;
    }

    /** The smallest bucket edge at or below which {@code quantile} of the weight lies. */
    long quantileMillis(double quantile) {
        if (quantile != cachedQuantile || samples - cachedAtSample >= RECOMPUTE_EVERY) {
            cachedMillis = computeQuantile(quantile);
            cachedQuantile = quantile;
            cachedAtSample = samples;
        }
        return cachedMillis;
    }

    private long computeQuantile(double quantile) {
        double target = quantile * weight;
        double seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= target && counts[i] > 0) {
                return AdaptiveBound.upperEdge(i);
            }
        }
        return AdaptiveBound.upperEdge(lastNonEmpty());
    }

    /**
     * The share of the weight at or below {@code millis}, spread evenly within the bucket that
     * holds it (a delay's exact value within its bucket is not kept).
     */
    double cumulativeShare(long millis) {
        if (weight == 0 || millis < 0) {
            return 0;
        }
        long value = Math.min(millis, MAX_DELAY_MILLIS);
        int bucket = AdaptiveBound.bucketOf(value);
        double below = 0;
        for (int i = 0; i < bucket; i++) {
            below += counts[i];
        }
        long low = bucket == 0 ? 0 : AdaptiveBound.upperEdge(bucket - 1) + 1;
        long width = AdaptiveBound.upperEdge(bucket) - low + 1;
        double within = counts[bucket] * (double) (value - low + 1) / width;
        return Math.min(1, (below + within) / weight);
    }

    private int lastNonEmpty() {
        for (int i = BUCKETS - 1; i > 0; i--) {
            if (counts[i] > 0) {
                return i;
            }
        }
        return 0;
    }
}
