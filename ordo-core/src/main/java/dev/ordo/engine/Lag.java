package dev.ordo.engine;

import java.time.Duration;

/**
 * How far a consumer is behind the end of the partitions it owns.
 *
 * @param records records appended and not yet handled (handled: every record below the consumer's safe
 *     commit point; -1 if not known yet, e.g. before the first fetch on Kafka)
 * @param time how long the oldest record fetched and not yet handled has been waiting since its
 *     timestamp ({@link Duration#ZERO} when none waits)
 */
public record Lag(long records, Duration time) {

    /** Nothing to catch up on. */
    public static final Lag NONE = new Lag(0, Duration.ZERO);

    /** Whether every record appended so far is handled. */
    public boolean caughtUp() {
        return records == 0;
    }
}
