package dev.ordo.time;

import dev.ordo.Arguments;
import java.time.Duration;
import java.util.Arrays;

/**
 * Learns how late events arrive and proposes the bound that covers a target share of them: the
 * "prediction of arrival patterns" that lets the out-of-orderness bound (or a gap timeout) follow
 * the measured network instead of a guessed constant.
 *
 * <p>Samples (delays in milliseconds) go into a log-linear histogram (8 sub-buckets per power of
 * two, so ~12% resolution) whose counts are halved every {@code halfLife} samples: old behaviour
 * fades and a shift in the delay distribution is picked up within a few half-lives. The bound is
 * the target quantile of the histogram, recomputed every 64 samples, never below {@code minimum}.
 *
 * <pre>{@code
 * AdaptiveBound bound = AdaptiveBound.targeting(0.99).withHalfLife(10_000).withMinimum(Duration.ofMillis(5));
 * WatermarkStrategy.forAdaptiveOutOfOrderness(bound);
 * }</pre>
 *
 * Thread-safe (synchronized); {@link #boundMillis()} is a volatile read.
 */
public final class AdaptiveBound {

    private static final int SUB_BUCKETS = 8;
    private static final int SUB_BITS = 3;
    private static final int BUCKETS = 61 * SUB_BUCKETS; // up to 2^62 ms
    private static final int RECOMPUTE_EVERY = 64;

    private final double quantile;
    private final int halfLife;
    private final long minimumMillis;
    private final double[] counts = new double[BUCKETS];
    private double total;
    private long samples;
    private volatile long bound;

    private AdaptiveBound(double quantile, int halfLife, long minimumMillis, long initialMillis) {
        this.quantile = quantile;
        this.halfLife = halfLife;
        this.minimumMillis = minimumMillis;
        this.bound = Math.max(minimumMillis, initialMillis);
    }

    /** Covers {@code quantile} of the observed delays (e.g. 0.99); half-life 10,000 samples, minimum 0. */
    public static AdaptiveBound targeting(double quantile) {
        if (!(quantile > 0 && quantile < 1)) {
            throw new IllegalArgumentException("quantile must be in (0, 1), was " + quantile);
        }
        return new AdaptiveBound(quantile, 10_000, 0, 0);
    }

    /** Samples after which old observations weigh half as much. */
    public AdaptiveBound withHalfLife(int samples) {
        if (samples < RECOMPUTE_EVERY) {
            throw new IllegalArgumentException("halfLife must be >= " + RECOMPUTE_EVERY + " samples, was " + samples);
        }
        return new AdaptiveBound(quantile, samples, minimumMillis, bound);
    }

    /** The bound never goes below this. */
    public AdaptiveBound withMinimum(Duration minimum) {
        Arguments.nonNegative("minimum", minimum);
        return new AdaptiveBound(quantile, halfLife, minimum.toMillis(), Math.max(bound, minimum.toMillis()));
    }

    /** The bound used before enough samples arrived. */
    public AdaptiveBound withInitial(Duration initial) {
        Arguments.nonNegative("initial", initial);
        return new AdaptiveBound(quantile, halfLife, minimumMillis, initial.toMillis());
    }

    /** Records one observed delay in milliseconds (negative values count as 0). */
    public synchronized void record(long delayMillis) {
        counts[bucketOf(Math.max(0, delayMillis))]++;
        total++;
        samples++;
        if (samples % halfLife == 0) {
            for (int i = 0; i < BUCKETS; i++) {
                counts[i] *= 0.5;
            }
            total *= 0.5;
        }
        if (samples % RECOMPUTE_EVERY == 0) {
            bound = Math.max(minimumMillis, quantileMillis());
        }
    }

    /** The current bound in milliseconds. */
    public long boundMillis() {
        return bound;
    }

    /** Samples recorded so far. */
    public synchronized long samples() {
        return samples;
    }

    /** A copy with the same configuration and no history. */
    public AdaptiveBound fresh() {
        return new AdaptiveBound(quantile, halfLife, minimumMillis, bound);
    }

    private long quantileMillis() {
        double target = quantile * total;
        double seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= target) {
                return upperEdge(i);
            }
        }
        return upperEdge(BUCKETS - 1);
    }

    /** Values below 8 get their own bucket; above, 8 buckets per power of two. */
    static int bucketOf(long value) {
        if (value < SUB_BUCKETS) {
            return (int) value;
        }
        int magnitude = 63 - Long.numberOfLeadingZeros(value);
        int sub = (int) (value >>> (magnitude - SUB_BITS)) & (SUB_BUCKETS - 1);
        return Math.min(BUCKETS - 1, (magnitude - SUB_BITS + 1) * SUB_BUCKETS + sub);
    }

    /** The largest value that falls into bucket {@code i}. */
    static long upperEdge(int i) {
        if (i < SUB_BUCKETS) {
            return i;
        }
        int magnitude = i / SUB_BUCKETS + SUB_BITS - 1;
        long sub = i % SUB_BUCKETS;
        long low = (SUB_BUCKETS + sub) << (magnitude - SUB_BITS);
        return low + (1L << (magnitude - SUB_BITS)) - 1;
    }

    @Override
    public synchronized String toString() {
        return "AdaptiveBound[q=" + quantile + ", halfLife=" + halfLife + ", bound=" + bound + " ms, samples=" + samples
                + ", histogram=" + Arrays.stream(counts).filter(c -> c > 0).count() + " buckets]";
    }
}
