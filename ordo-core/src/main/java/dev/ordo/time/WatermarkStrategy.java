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
    private final Duration idleness;
    private final Duration allowedLateness;
    private final LatePolicy latePolicy;

    private WatermarkStrategy(
            Duration fixedBound,
            AdaptiveBound adaptiveBound,
            Duration idleness,
            Duration allowedLateness,
            LatePolicy latePolicy) {
        this.fixedBound = fixedBound;
        this.fixedBoundMillis = fixedBound == null ? 0 : fixedBound.toMillis();
        this.adaptiveBound = adaptiveBound;
        this.idleness = idleness;
        this.allowedLateness = allowedLateness;
        this.latePolicy = latePolicy;
    }

    /** Events may arrive up to {@code maxOutOfOrderness} behind the newest event of their source. */
    public static WatermarkStrategy forBoundedOutOfOrderness(Duration maxOutOfOrderness) {
        Arguments.nonNegative("maxOutOfOrderness", maxOutOfOrderness);
        return new WatermarkStrategy(maxOutOfOrderness, null, null, null, LatePolicy.DROP);
    }

    /** The out-of-orderness bound follows the observed delays, see {@link AdaptiveBound}. */
    public static WatermarkStrategy forAdaptiveOutOfOrderness(AdaptiveBound bound) {
        return new WatermarkStrategy(
                null, Objects.requireNonNull(bound, "bound must not be null"), null, null, LatePolicy.DROP);
    }

    /** A source that sent nothing for {@code timeout} (processing time) no longer holds the watermark back. */
    public WatermarkStrategy withIdleness(Duration timeout) {
        Arguments.nonNegative("idleness", timeout);
        return new WatermarkStrategy(fixedBound, adaptiveBound, timeout, allowedLateness, latePolicy);
    }

    /** Late events more than {@code lateness} below the watermark are dropped whatever the late policy. */
    public WatermarkStrategy withAllowedLateness(Duration lateness) {
        Arguments.nonNegative("allowedLateness", lateness);
        return new WatermarkStrategy(fixedBound, adaptiveBound, idleness, lateness, latePolicy);
    }

    /** What to do with late events within the allowed lateness (default {@link LatePolicy#DROP}). */
    public WatermarkStrategy withLatePolicy(LatePolicy policy) {
        return new WatermarkStrategy(
                fixedBound,
                adaptiveBound,
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
        return "WatermarkStrategy[bound=" + (adaptiveBound != null ? adaptiveBound : fixedBound) + ", idleness="
                + idleness + ", allowedLateness=" + allowedLateness + ", latePolicy=" + latePolicy + "]";
    }
}
