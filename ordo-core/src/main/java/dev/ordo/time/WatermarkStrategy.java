package dev.ordo.time;

import dev.ordo.Arguments;
import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link EventTimeReorderer} decides that event time has passed, declared fluently in the
 * spirit of Flink's {@code WatermarkStrategy}.
 *
 * <pre>{@code
 * WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofSeconds(2))   // events up to 2 s behind the newest are on time
 *         .withIdleness(Duration.ofSeconds(30))                       // a silent source stops holding time back
 *         .withAllowedLateness(Duration.ofMinutes(1))                 // later than that: always dropped
 *         .withLatePolicy(LatePolicy.SIDE_OUTPUT);                    // late but allowed: side output
 * WatermarkStrategy.forAdaptiveOutOfOrderness(AdaptiveBound.targeting(0.99));  // bound learned online
 * WatermarkStrategy.forLearnedOutOfOrderness(ArrivalModel.hourly(), 0.99);   // learned per hour of day
 * }</pre>
 *
 * <p>Per source, the watermark is the newest timestamp seen minus the bound minus 1 ms: events at
 * or below it are complete. The reorderer's watermark is the minimum over its active sources and
 * never goes back.
 */
public final class WatermarkStrategy {

    private final Duration fixedBound;
    /** {@code fixedBound} in milliseconds, read for every event. */
    private final long fixedBoundMillis;

    private final AdaptiveBound adaptiveBound;
    private final ArrivalModel learnedModel;
    private final double learnedQuantile;
    private final Duration idleness;
    private final Duration allowedLateness;
    private final LatePolicy latePolicy;

    private WatermarkStrategy(
            Duration fixedBound,
            AdaptiveBound adaptiveBound,
            ArrivalModel learnedModel,
            double learnedQuantile,
            Duration idleness,
            Duration allowedLateness,
            LatePolicy latePolicy) {
        this.fixedBound = fixedBound;
        this.fixedBoundMillis = fixedBound == null ? 0 : fixedBound.toMillis();
        this.adaptiveBound = adaptiveBound;
        this.learnedModel = learnedModel;
        this.learnedQuantile = learnedQuantile;
        this.idleness = idleness;
        this.allowedLateness = allowedLateness;
        this.latePolicy = latePolicy;
    }

    /** Events may arrive up to {@code maxOutOfOrderness} behind the newest event of their source. */
    public static WatermarkStrategy forBoundedOutOfOrderness(Duration maxOutOfOrderness) {
        Arguments.nonNegative("maxOutOfOrderness", maxOutOfOrderness);
        return new WatermarkStrategy(maxOutOfOrderness, null, null, 0, null, null, LatePolicy.DROP);
    }

    /** The out-of-orderness bound follows the observed delays, see {@link AdaptiveBound}. */
    public static WatermarkStrategy forAdaptiveOutOfOrderness(AdaptiveBound bound) {
        return new WatermarkStrategy(
                null, Objects.requireNonNull(bound, "bound must not be null"), null, 0, null, null, LatePolicy.DROP);
    }

    /**
     * The out-of-orderness bound is the {@code quantile} that {@code model} learned for the time of
     * day of the slowest source's newest event (see {@link ArrivalModel}): the busy hours it saw on
     * earlier days get their wider bound before the delays grow again. The model learns every
     * source apart, but the bound is its estimate over all sources: the reorderer has one watermark,
     * so an event is late by its delay whatever its source, and one threshold at the quantile over
     * all events leaves the fewest late for its latency. Each reorderer should have a model of its
     * own.
     */
    public static WatermarkStrategy forLearnedOutOfOrderness(ArrivalModel model, double quantile) {
        ArrivalModel.checkQuantile(quantile);
        return new WatermarkStrategy(
                null,
                null,
                Objects.requireNonNull(model, "model must not be null"),
                quantile,
                null,
                null,
                LatePolicy.DROP);
    }

    /** A source that sent nothing for {@code timeout} (processing time) no longer holds the watermark back. */
    public WatermarkStrategy withIdleness(Duration timeout) {
        Arguments.nonNegative("idleness", timeout);
        return new WatermarkStrategy(
                fixedBound, adaptiveBound, learnedModel, learnedQuantile, timeout, allowedLateness, latePolicy);
    }

    /** Late events more than {@code lateness} below the watermark are dropped whatever the late policy. */
    public WatermarkStrategy withAllowedLateness(Duration lateness) {
        Arguments.nonNegative("allowedLateness", lateness);
        return new WatermarkStrategy(
                fixedBound, adaptiveBound, learnedModel, learnedQuantile, idleness, lateness, latePolicy);
    }

    /** What to do with late events within the allowed lateness (default {@link LatePolicy#DROP}). */
    public WatermarkStrategy withLatePolicy(LatePolicy policy) {
        return new WatermarkStrategy(
                fixedBound,
                adaptiveBound,
                learnedModel,
                learnedQuantile,
                idleness,
                allowedLateness,
                Objects.requireNonNull(policy, "latePolicy must not be null"));
    }

    /** The current out-of-orderness bound in milliseconds. */
    long boundMillis() {
        return adaptiveBound != null ? adaptiveBound.boundMillis() : fixedBoundMillis;
    }

    AdaptiveBound adaptiveBound() {
        return adaptiveBound;
    }

    /** A learned bound for one reorderer, or null if the bound is not learned by an {@link ArrivalModel}. */
    LearnedOutOfOrderness learnedBounds() {
        return learnedModel == null ? null : new LearnedOutOfOrderness(learnedModel, learnedQuantile);
    }

    /** Idle timeout in nanoseconds, or -1 if sources never go idle. */
    long idlenessNanos() {
        return idleness == null ? -1 : idleness.toNanos();
    }

    /** Allowed lateness in milliseconds, or {@code Long.MAX_VALUE} if unlimited. */
    long allowedLatenessMillis() {
        return allowedLateness == null ? Long.MAX_VALUE : allowedLateness.toMillis();
    }

    LatePolicy latePolicy() {
        return latePolicy;
    }

    @Override
    public String toString() {
        Object bound = adaptiveBound != null
                ? adaptiveBound
                : learnedModel != null ? "learned(" + learnedModel + ", q=" + learnedQuantile + ")" : fixedBound;
        return "WatermarkStrategy[bound=" + bound + ", idleness=" + idleness + ", allowedLateness=" + allowedLateness
                + ", latePolicy=" + latePolicy + "]";
    }
}
