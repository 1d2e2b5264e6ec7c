package dev.ordo.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Scale;
import net.jqwik.api.constraints.Size;

class ArrivalModelProperties {

    /**
     * For any set of delays and any quantile, the sketch answers with a value at or above the exact
     * quantile (the smallest delay with that share of the delays at or below it) and at most 1/8
     * above it: the error its buckets state.
     */
    @Property(tries = 500)
    void theSketchQuantileIsWithinAnEighthAboveTheExactOne(
            @ForAll @Size(min = 1, max = 400) List<@LongRange(min = 0, max = 2_000_000_000L) Long> delays,
            @ForAll @DoubleRange(min = 0.001, max = 0.999) @Scale(4) double quantile) {
        DelaySketch sketch = new DelaySketch(1 << 20);
        delays.forEach(sketch::record);
        long[] sorted = delays.stream().mapToLong(Long::longValue).sorted().toArray();
        double target = quantile * sorted.length;
        int k = 0;
        while (k + 1 < target) {
            k++;
        }
        long exact = sorted[k];

        long answer = sketch.quantileMillis(quantile);

        assertThat(answer).isGreaterThanOrEqualTo(exact).isLessThanOrEqualTo(exact + exact / 8);
    }

    /** A larger share never needs a shorter wait, whatever was learned, for any source and time. */
    @Property(tries = 300)
    void theBoundIsMonotoneInTheQuantile(
            @ForAll @Size(max = 300) List<@LongRange(min = 0, max = 100_000) Long> delays,
            @ForAll @LongRange(min = 0, max = 4 * 86_400_000L) long at,
            @ForAll @DoubleRange(min = 0.001, max = 0.999) @Scale(4) double q1,
            @ForAll @DoubleRange(min = 0.001, max = 0.999) @Scale(4) double q2) {
        ArrivalModel model = ArrivalModel.hourly().withHalfLife(64).withMinSamples(4);
        for (int i = 0; i < delays.size(); i++) {
            model.record(i % 3, i * 600_000L, delays.get(i));
        }
        double low = Math.min(q1, q2);
        double high = Math.max(q1, q2);
        for (Object source : new Object[] {0, 1, 2, "never seen"}) {
            assertThat(model.bound(source, at, low)).isLessThanOrEqualTo(model.bound(source, at, high));
        }
        assertThat(model.bound(at, low)).isLessThanOrEqualTo(model.bound(at, high));
    }

    /** The chance of arriving is a probability, and waiting longer never makes it smaller. */
    @Property(tries = 300)
    void predictIsAProbabilityThatGrowsWithTheFurtherWait(
            @ForAll @Size(max = 200) List<@LongRange(min = 0, max = 100_000) Long> delays,
            @ForAll @LongRange(min = 0, max = 200_000) long missingFor,
            @ForAll @LongRange(min = 0, max = 200_000) long within1,
            @ForAll @LongRange(min = 0, max = 200_000) long within2) {
        ArrivalModel model = ArrivalModel.hourly().withMinSamples(1);
        delays.forEach(d -> model.record("a", 0, d));
        double shorter = model.predict("a", 0, missingFor, Math.min(within1, within2));
        double longer = model.predict("a", 0, missingFor, Math.max(within1, within2));
        assertThat(shorter).isBetween(0.0, 1.0);
        assertThat(longer).isBetween(0.0, 1.0).isGreaterThanOrEqualTo(shorter);
    }
}
