package dev.ordo.time;

import dev.ordo.Arguments;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Learns, per source and time of day, how long messages take to arrive, and predicts from it: the
 * delay within which a share of a source's messages arrives now ({@link #bound}), and the chance
 * that a message still missing arrives within a further wait ({@link #predict}). Where
 * {@link AdaptiveBound} learns one delay distribution for all sources, this model keeps one per
 * source and per bucket of the day, so a slow source does not widen a fast one's gap timeout and
 * the busy hours it has seen on earlier days are known before they come again. (An event-time
 * reorderer has one watermark for all sources; it uses the model's estimate over all sources, see
 * {@link WatermarkStrategy#forLearnedOutOfOrderness}.)
 *
 * <pre>{@code
 * ArrivalModel model = ArrivalModel.hourly().withDefault(Duration.ofSeconds(2));
 * WatermarkStrategy.forLearnedOutOfOrderness(model, 0.99);        // a watermark bound per hour of day
 * GapPolicy.skipAfter(model, 0.99);                               // a gap timeout per source
 * model.predict("sensor-7", nowMillis, 500, 1_000);               // P(arrives within 1 s | missing for 0.5 s)
 * }</pre>
 *
 * <ul>
 *   <li><b>Time of day</b> is that of the time given in milliseconds since the epoch, UTC: an
 *       event's timestamp for watermarks, the {@link #withDayClock day clock} for gap timeouts.
 *       {@link #hourly()} splits the day into 24 buckets; {@link #withTimeOfDayBuckets(int) one
 *       bucket} turns the daily cycle off.</li>
 *   <li><b>Regime shifts</b>: each sketch halves its counts every {@code halfLife} samples it
 *       takes (default 1,000), so a source whose delays change is followed within a few
 *       half-lives of its bucket, while a bucket's other days are remembered until then.</li>
 *   <li><b>Cold start</b>: a bucket that has fewer than {@code minSamples} (default 32) falls back
 *       to the source's whole day, then to all sources at that time of day, then to all sources
 *       over the whole day, then to the {@link #withDefault default} (0 ms unless set).</li>
 *   <li><b>Memory</b> is bounded: a sketch is about 1 KB (8 buckets per power of two, so a
 *       quantile is at most 1/8 above the exact one), made on its bucket's first sample; at most
 *       {@code maxSources} (default 1,024) sources get their own, about 25 KB each with hourly
 *       buckets; later sources are learned only as part of all sources.</li>
 * </ul>
 *
 * Thread-safe (synchronized). Delays and bounds are in milliseconds.
 */
public final class ArrivalModel {

    private static final long DAY_MILLIS = Duration.ofDays(1).toMillis();
    private static final int MAX_HALF_LIFE = 1 << 20; // keeps a sketch's float counts exact

    private final int timeOfDayBuckets;
    private final int halfLife;
    private final int minSamples;
    private final long defaultMillis;
    private final int maxSources;
    private final InstantSource dayClock;

    private final Map<Object, SourceArrivals> bySource = new HashMap<>();
    private final SourceArrivals allSources;
    private long samples;

    private ArrivalModel(
            int timeOfDayBuckets,
            int halfLife,
            int minSamples,
            long defaultMillis,
            int maxSources,
            InstantSource dayClock) {
        this.timeOfDayBuckets = timeOfDayBuckets;
        this.halfLife = halfLife;
        this.minSamples = minSamples;
        this.defaultMillis = defaultMillis;
        this.maxSources = maxSources;
        this.dayClock = dayClock;
        this.allSources = new SourceArrivals(timeOfDayBuckets, halfLife);
    }

    /** 24 one-hour buckets of the UTC day, half-life 1,000 samples, 32 samples before a sketch speaks. */
    public static ArrivalModel hourly() {
        return new ArrivalModel(24, 1_000, 32, 0, 1_024, InstantSource.system());
    }

    /** Splits the day into {@code buckets} equal parts (1: no daily cycle, 1,440: one per minute). */
    public ArrivalModel withTimeOfDayBuckets(int buckets) {
        Arguments.atLeast("timeOfDayBuckets", buckets, 1);
        Arguments.atMost("timeOfDayBuckets", buckets, 1_440);
        return new ArrivalModel(buckets, halfLife, minSamples, defaultMillis, maxSources, dayClock);
    }

    /** Samples of a sketch after which its older ones weigh half as much. */
    public ArrivalModel withHalfLife(int samples) {
        Arguments.atLeast("halfLife", samples, 2 * minSamples);
        Arguments.atMost("halfLife", samples, MAX_HALF_LIFE);
        return new ArrivalModel(timeOfDayBuckets, samples, minSamples, defaultMillis, maxSources, dayClock);
    }

    /** Samples a sketch needs before it is used instead of a coarser one. */
    public ArrivalModel withMinSamples(int samples) {
        Arguments.atLeast("minSamples", samples, 1);
        Arguments.atMost("minSamples", samples, halfLife / 2);
        return new ArrivalModel(timeOfDayBuckets, halfLife, samples, defaultMillis, maxSources, dayClock);
    }

    /** The bound given before anything is learned. */
    public ArrivalModel withDefault(Duration bound) {
        Arguments.nonNegative("default", bound);
        return new ArrivalModel(timeOfDayBuckets, halfLife, minSamples, bound.toMillis(), maxSources, dayClock);
    }

    /** How many sources get sketches of their own. */
    public ArrivalModel withMaxSources(int sources) {
        Arguments.atLeast("maxSources", sources, 0);
        return new ArrivalModel(timeOfDayBuckets, halfLife, minSamples, defaultMillis, sources, dayClock);
    }

    /**
     * Where users without an event time (the gap policy) read the time of day; default the system
     * clock. Tests pass one driven by their {@link dev.ordo.ManualTicker}.
     */
    public ArrivalModel withDayClock(InstantSource clock) {
        return new ArrivalModel(
                timeOfDayBuckets,
                halfLife,
                minSamples,
                defaultMillis,
                maxSources,
                Objects.requireNonNull(clock, "dayClock must not be null"));
    }

    /** Records that a message of {@code source} took {@code delayMillis} to arrive, at {@code atMillis}. */
    public synchronized void record(Object source, long atMillis, long delayMillis) {
        Objects.requireNonNull(source, "source must not be null");
        Arguments.atLeast("delayMillis", delayMillis, 0);
        int timeOfDay = timeOfDay(atMillis);
        SourceArrivals own = bySource.get(source);
        if (own == null && bySource.size() < maxSources) {
            own = new SourceArrivals(timeOfDayBuckets, halfLife);
            bySource.put(source, own);
        }
        if (own != null) {
            own.record(timeOfDay, delayMillis);
        }
        allSources.record(timeOfDay, delayMillis);
        samples++;
    }

    /** The delay within which {@code quantile} of {@code source}'s messages arrive at {@code atMillis}. */
    public synchronized long bound(Object source, long atMillis, double quantile) {
        checkQuantile(quantile);
        DelaySketch sketch = sketchFor(source, atMillis);
        return sketch == null ? defaultMillis : sketch.quantileMillis(quantile);
    }

    /**
     * The delay within which {@code quantile} of all sources' messages arrive at {@code atMillis}:
     * the source-independent estimate (falling back to the whole day, then the default).
     */
    public synchronized long bound(long atMillis, double quantile) {
        checkQuantile(quantile);
        DelaySketch sketch = allSources.knowing(timeOfDay(atMillis), minSamples);
        return sketch == null ? defaultMillis : sketch.quantileMillis(quantile);
    }

    /**
     * The probability that a message of {@code source} that is still missing after
     * {@code missingForMillis} arrives within {@code withinMillis} more, at {@code atMillis}: the
     * learned delays between the two over those beyond the first. 0 if no delay beyond
     * {@code missingForMillis} was seen; before anything is learned, 1 if the default bound lies
     * in that window, else 0.
     */
    public synchronized double predict(Object source, long atMillis, long missingForMillis, long withinMillis) {
        Arguments.atLeast("missingForMillis", missingForMillis, 0);
        Arguments.atLeast("withinMillis", withinMillis, 0);
        long until =
                missingForMillis > Long.MAX_VALUE - withinMillis ? Long.MAX_VALUE : missingForMillis + withinMillis;
        DelaySketch sketch = sketchFor(source, atMillis);
        if (sketch == null) {
            return defaultMillis > missingForMillis && defaultMillis <= until ? 1 : 0;
        }
        double missing = 1 - sketch.cumulativeShare(missingForMillis);
        if (missing <= 0) {
            return 0;
        }
        return Math.max(0, Math.min(1, (sketch.cumulativeShare(until) - (1 - missing)) / missing));
    }

    /** Samples recorded so far. */
    public synchronized long samples() {
        return samples;
    }

    /** Sources with sketches of their own. */
    public synchronized int sources() {
        return bySource.size();
    }

    /** Where users without an event time read the time of day, see {@link #withDayClock}. */
    public InstantSource dayClock() {
        return dayClock;
    }

    private DelaySketch sketchFor(Object source, long atMillis) {
        Objects.requireNonNull(source, "source must not be null");
        int timeOfDay = timeOfDay(atMillis);
        SourceArrivals own = bySource.get(source);
        DelaySketch sketch = own == null ? null : own.knowing(timeOfDay, minSamples);
        return sketch != null ? sketch : allSources.knowing(timeOfDay, minSamples);
    }

    private int timeOfDay(long atMillis) {
        return (int) (Math.floorMod(atMillis, DAY_MILLIS) * timeOfDayBuckets / DAY_MILLIS);
    }

    static void checkQuantile(double quantile) {
        if (!(quantile > 0 && quantile < 1)) {
            throw new IllegalArgumentException("quantile must be in (0, 1), was " + quantile);
        }
    }

    @Override
    public synchronized String toString() {
        return "ArrivalModel[timeOfDayBuckets=" + timeOfDayBuckets + ", halfLife=" + halfLife + ", minSamples="
                + minSamples + ", default=" + defaultMillis + " ms, sources=" + bySource.size() + ", samples="
                + samples + "]";
    }
}
