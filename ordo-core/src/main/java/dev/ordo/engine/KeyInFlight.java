package dev.ordo.engine;

import dev.ordo.exec.KeyInProgress;
import java.time.Duration;

/**
 * A key of a running consumer with a record in progress, as {@link RecordConsumer#keysInFlight()} lists
 * it: the record at the key's head, what it is doing, for how long, and how many of the key's records wait
 * behind it. A key whose head has been in progress for long is a <em>stuck key</em>, which the
 * partition's lag alone does not show (lag 1,000 may be one record that blocks its key).
 *
 * @param topic the record's topic
 * @param partition its partition
 * @param offset its offset
 * @param key the record's key as text (its bytes as UTF-8), or null
 * @param state running, failing and being retried, or parked
 * @param since how long ago its first attempt started (its latest resume, if it was parked)
 * @param attempts attempts started so far
 * @param lastError what the latest failed attempt threw, as text; null if none failed
 * @param waitingBehind records of its key (its partition, under {@code PARTITION} ordering) waiting behind it
 */
public record KeyInFlight(
        String topic,
        int partition,
        long offset,
        String key,
        KeyInProgress.State state,
        Duration since,
        int attempts,
        String lastError,
        int waitingBehind) {

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset + " (key " + key + ") " + state + " for " + since.toSeconds()
                + " s, attempt " + attempts + (lastError == null ? "" : ", last error " + lastError) + "; "
                + waitingBehind + " records wait behind it";
    }
}
