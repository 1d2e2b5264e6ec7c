package dev.ordo.check;

import dev.ordo.Arguments;
import java.time.Duration;

/**
 * How far a message's event time may lie before or after a reference time (the clock when the
 * {@link OrderingMonitor} sees it, the receipt's or send's time in a {@link History}) before it is
 * a {@link Anomaly#TIMESTAMP_ANOMALY}: a producer with a wrong clock, a replay stamped with old
 * times, a corrupted timestamp. The same rule as Kafka's broker configs
 * {@code message.timestamp.before.max.ms} and {@code message.timestamp.after.max.ms}.
 *
 * <pre>{@code
 * TimestampBounds.kafkaDefault()                                        // up to 1 h ahead, any age
 * TimestampBounds.of(Duration.ofDays(7), Duration.ofMinutes(5))         // a week old, 5 min ahead
 * }</pre>
 *
 * <p>Durations beyond {@code Long.MAX_VALUE} milliseconds mean no bound.
 */
public final class TimestampBounds {

    private static final long UNBOUNDED = Long.MAX_VALUE;
    private static final TimestampBounds KAFKA_DEFAULT =
            new TimestampBounds(UNBOUNDED, Duration.ofHours(1).toMillis());

    private final long maxBeforeMillis;
    private final long maxAfterMillis;

    private TimestampBounds(long maxBeforeMillis, long maxAfterMillis) {
        this.maxBeforeMillis = maxBeforeMillis;
        this.maxAfterMillis = maxAfterMillis;
    }

    /**
     * Kafka's defaults since 4.0: an event time may be any age but at most one hour ahead of the
     * reference.
     */
    public static TimestampBounds kafkaDefault() {
        return KAFKA_DEFAULT;
    }

    /**
     * @param maxBefore how far an event time may lie in the past of the reference
     * @param maxAfter how far an event time may lie in the future of the reference
     * @throws IllegalArgumentException if either is negative
     */
    public static TimestampBounds of(Duration maxBefore, Duration maxAfter) {
        return new TimestampBounds(
                millis(Arguments.nonNegative("maxBefore", maxBefore)),
                millis(Arguments.nonNegative("maxAfter", maxAfter)));
    }

    /** These bounds with {@code maxBefore} instead; see {@link #of}. */
    public TimestampBounds withMaxBefore(Duration maxBefore) {
        return new TimestampBounds(millis(Arguments.nonNegative("maxBefore", maxBefore)), maxAfterMillis);
    }

    /** These bounds with {@code maxAfter} instead; see {@link #of}. */
    public TimestampBounds withMaxAfter(Duration maxAfter) {
        return new TimestampBounds(maxBeforeMillis, millis(Arguments.nonNegative("maxAfter", maxAfter)));
    }

    /** How far an event time may lie before the reference, in milliseconds ({@code Long.MAX_VALUE}: any). */
    public long maxBeforeMillis() {
        return maxBeforeMillis;
    }

    /** How far an event time may lie after the reference, in milliseconds ({@code Long.MAX_VALUE}: any). */
    public long maxAfterMillis() {
        return maxAfterMillis;
    }

    /** True when {@code eventTime} is within the bounds around {@code reference}; both non-negative. */
    boolean allows(long eventTime, long reference) {
        // Both are in [0, Long.MAX_VALUE], so the difference cannot overflow.
        long ahead = eventTime - reference;
        return ahead >= 0 ? ahead <= maxAfterMillis : -ahead <= maxBeforeMillis;
    }

    /** Why {@code eventTime} is out of bounds, e.g. {@code PT2H after ... (at most PT1H)}. */
    String describe(long eventTime, long reference, String referenceName) {
        long ahead = eventTime - reference;
        return "event time " + eventTime + " is " + Duration.ofMillis(Math.abs(ahead))
                + (ahead >= 0 ? " after " : " before ") + referenceName + " " + reference + " (at most "
                + Duration.ofMillis(ahead >= 0 ? maxAfterMillis : maxBeforeMillis) + ")";
    }

    private static long millis(Duration duration) {
        try {
            return duration.toMillis();
        } catch (ArithmeticException beyondMilliseconds) {
            return UNBOUNDED;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TimestampBounds b
                && b.maxBeforeMillis == maxBeforeMillis
                && b.maxAfterMillis == maxAfterMillis;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(maxBeforeMillis) * 31 + Long.hashCode(maxAfterMillis);
    }

    @Override
    public String toString() {
        return "TimestampBounds[maxBefore=" + bound(maxBeforeMillis) + ", maxAfter=" + bound(maxAfterMillis) + "]";
    }

    private static String bound(long millis) {
        return millis == UNBOUNDED ? "none" : Duration.ofMillis(millis).toString();
    }
}
