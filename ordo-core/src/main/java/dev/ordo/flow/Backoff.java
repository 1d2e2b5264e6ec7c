package dev.ordo.flow;

import dev.ordo.Arguments;
import java.time.Duration;
import java.util.Objects;

/**
 * An exponential backoff: waits {@code initial}, then twice that, and so on, never more than
 * {@code max}. Shared by retries of failed work and by repeated redelivery requests.
 *
 * @param initial the first wait, greater than zero
 * @param max the longest wait, at least {@code initial}
 */
public record Backoff(Duration initial, Duration max) {

    public Backoff {
        Objects.requireNonNull(initial, "initial must not be null");
        Objects.requireNonNull(max, "max must not be null");
        Arguments.positive("initial backoff", initial);
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max backoff must be >= initial (" + initial + "), was " + max);
        }
    }

    /** A backoff from {@code initial} doubling up to {@code max}. */
    public static Backoff exponential(Duration initial, Duration max) {
        return new Backoff(initial, max);
    }

    /** The wait before attempt number {@code attempt} (1 = the first wait), in nanoseconds. */
    public long delayNanos(int attempt) {
        Arguments.atLeast("attempt", attempt, 1);
        long cap = max.toNanos();
        long wait = initial.toNanos();
        for (int i = 1; i < attempt && wait < cap; i++) {
            wait = wait > cap / 2 ? cap : wait * 2;
        }
        return Math.min(wait, cap);
    }
}
