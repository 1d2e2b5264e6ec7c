package dev.ordo.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * The claim of {@link ArrivalModel}, on a seeded synthetic trace ({@link ArrivalTrace}: three
 * sources that differ, a daily cycle, a regime shift halfway) replayed in simulated time: with the
 * same added latency as {@link AdaptiveBound} (mean wait before release, its budget), the learned
 * per-source, per-hour bounds leave fewer events late. Each contender gets that budget the same
 * way: the fixed bound and the learned model's quantile are the largest on their grid whose mean
 * added latency stays within the adaptive bound's. The figures are in BENCHMARKS.md ("Learned
 * arrival patterns"); this test prints its table.
 */
class LearnedArrivalComparisonTest {

    static final int DAYS = 3;
    static final long SEED = 20261204L;
    static final double ADAPTIVE_QUANTILE = 0.99;
    static final Duration INITIAL = Duration.ofSeconds(2);
    static final double[] QUANTILES = {
        0.9, 0.95, 0.97, 0.98, 0.985, 0.99, 0.991, 0.992, 0.993, 0.994, 0.995, 0.996, 0.997, 0.998, 0.999
    };
    static final int FIXED_STEP_MILLIS = 250;
    static final int FIXED_STEPS = 160; // up to 40 s

    /** The three contenders on one trace, at the adaptive bound's latency. */
    record Comparison(TraceReplay.Outcome adaptive, TraceReplay.Outcome bestFixed, TraceReplay.Outcome learned) {

        boolean learnedWins() {
            return learned.late() < adaptive.late() && learned.meanWaitMillis() <= adaptive.meanWaitMillis();
        }

        void print(String title) {
            System.out.println(title);
            System.out.println("| bound | late | added latency mean (ms) | p99 (ms) |");
            System.out.println("|---|---:|---:|---:|");
            System.out.println(adaptive);
            System.out.println(bestFixed);
            System.out.println(learned);
        }
    }

    static ArrivalModel learnedModel() {
        return ArrivalModel.hourly().withDefault(INITIAL);
    }

    static Comparison compare(ArrivalTrace trace, ArrivalModel model) {
        TraceReplay.Outcome adaptive = TraceReplay.run(
                "AdaptiveBound q=" + ADAPTIVE_QUANTILE + " (half-life 10,000 samples)",
                trace,
                WatermarkStrategy.forAdaptiveOutOfOrderness(
                        AdaptiveBound.targeting(ADAPTIVE_QUANTILE).withInitial(INITIAL)));
        double budget = adaptive.meanWaitMillis();
        TraceReplay.Outcome fixed = largestWithin(
                budget,
                FIXED_STEPS + 1,
                i -> TraceReplay.run(
                        "best fixed: " + i * FIXED_STEP_MILLIS + " ms",
                        trace,
                        WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofMillis((long) i * FIXED_STEP_MILLIS))));
        TraceReplay.Outcome learned = largestWithin(
                budget,
                QUANTILES.length,
                i -> TraceReplay.run(
                        "ArrivalModel q=" + QUANTILES[i],
                        trace,
                        WatermarkStrategy.forLearnedOutOfOrderness(model, QUANTILES[i])));
        return new Comparison(adaptive, fixed, learned);
    }

    /**
     * The outcome of the largest grid index whose mean wait is within {@code budget} (index 0 if
     * none), by bisection: a larger bound or quantile never waits less.
     */
    private static TraceReplay.Outcome largestWithin(double budget, int size, IntFunction<TraceReplay.Outcome> run) {
        int low = 0;
        int high = size - 1;
        TraceReplay.Outcome best = null;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            TraceReplay.Outcome o = run.apply(mid);
            if (o.meanWaitMillis() <= budget) {
                best = o;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return best != null ? best : run.apply(0);
    }

    @Test
    void learnedBoundsLeaveFewerEventsLateThanAdaptiveBoundAtNoMoreAddedLatency() {
        ArrivalTrace trace = ArrivalTrace.generate(ArrivalTrace.Shape.full(DAYS, SEED));
        Comparison c = compare(trace, learnedModel());
        c.print("sources that differ, daily cycle, regime shift: "
                + trace.events().size() + " events");

        assertThat(c.learned().meanWaitMillis())
                .as("learned mean added latency")
                .isLessThanOrEqualTo(c.adaptive().meanWaitMillis());
        assertThat(c.learned().late())
                .as("late events, learned against adaptive")
                .isLessThan(c.adaptive().late());
        assertThat(c.learned().late())
                .as("late events, learned against best fixed")
                .isLessThan(c.bestFixed().late());
    }

    @Test
    void hourlyBucketsLeaveNoMoreEventsLateThanOneBucketForTheWholeDay() {
        ArrivalTrace trace = ArrivalTrace.generate(ArrivalTrace.Shape.full(DAYS, SEED));
        Comparison hourly = compare(trace, learnedModel());
        Comparison wholeDay = compare(trace, learnedModel().withTimeOfDayBuckets(1));
        wholeDay.print("the same trace, model with one time-of-day bucket");

        assertThat(hourly.learned().late())
                .isLessThanOrEqualTo(wholeDay.learned().late());
    }

    /** Where there is no pattern to learn, the learned model has no edge: the claim above can fail. */
    @Test
    void withoutDailyCycleOrSourceDifferencesTheLearnedModelDoesNoBetter() {
        ArrivalTrace flat = ArrivalTrace.generate(
                ArrivalTrace.Shape.full(DAYS, SEED).withoutDailyCycle().withoutSourceDifferences());
        Comparison c = compare(flat, learnedModel());
        c.print("no daily cycle, sources alike (regime shift kept): "
                + flat.events().size() + " events");

        assertThat(c.learnedWins())
                .as("learned beats adaptive without patterns")
                .isFalse();
    }
}
