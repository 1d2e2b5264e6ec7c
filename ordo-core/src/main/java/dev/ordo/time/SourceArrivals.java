package dev.ordo.time;

/**
 * What an {@link ArrivalModel} knows of one source: a {@link DelaySketch} per time-of-day bucket,
 * made on the bucket's first sample, and one over the whole day for the buckets that know too
 * little yet. Guarded by the model.
 */
final class SourceArrivals {

    private final int halfLife;
    private final DelaySketch[] byTimeOfDay;
    private final DelaySketch wholeDay;

    SourceArrivals(int timeOfDayBuckets, int halfLife) {
        this.halfLife = halfLife;
        this.byTimeOfDay = new DelaySketch[timeOfDayBuckets];
        this.wholeDay = new DelaySketch(halfLife);
    }

    void record(int timeOfDay, long delayMillis) {
        DelaySketch sketch = byTimeOfDay[timeOfDay];
        if (sketch == null) {
            sketch = new DelaySketch(halfLife);
            byTimeOfDay[timeOfDay] = sketch;
        }
        sketch.record(delayMillis);
        wholeDay.record(delayMillis);
    }

    /** The sketch of {@code timeOfDay} if it knows {@code minWeight}, else the whole day's if it does, else null. */
    DelaySketch knowing(int timeOfDay, double minWeight) {
        DelaySketch sketch = byTimeOfDay[timeOfDay];
        if (sketch != null && sketch.weight() >= minWeight) {
            return sketch;
        }
        return wholeDay.weight() >= minWeight ? wholeDay : null;
    }
}
