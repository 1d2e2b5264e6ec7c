package dev.ordo.exec;

import dev.ordo.Arguments;
import dev.ordo.flow.Backoff;
import java.time.Duration;
import java.util.Objects;

/**
 * How often a failed task is tried again, and how long to wait between tries. While a task waits
 * for its retry its key stays blocked, so later tasks of the same key never overtake it.
 *
 * @param maxAttempts total tries including the first, at least 1
 * @param backoff the waits between tries
 */
public record Retry(int maxAttempts, Backoff backoff) {

    public Retry {
        Arguments.atLeast("maxAttempts", maxAttempts, 1);
        Objects.requireNonNull(backoff, "backoff must not be null");
    }

    /** Try once; a failure goes straight to the dead-letter handler. */
    public static Retry none() {
        return new Retry(1, Backoff.exponential(Duration.ofMillis(1), Duration.ofMillis(1)));
    }

    /** Up to {@code maxAttempts} tries with waits from 10 ms doubling up to 1 s. */
    public static Retry exponential(int maxAttempts) {
        return exponential(maxAttempts, Duration.ofMillis(10), Duration.ofSeconds(1));
    }

    /** Up to {@code maxAttempts} tries with waits from {@code initial} doubling up to {@code max}. */
    public static Retry exponential(int maxAttempts, Duration initial, Duration max) {
        return new Retry(maxAttempts, Backoff.exponential(initial, max));
    }
}
