package dev.ordo.engine;

import java.time.Duration;

/**
 * A record whose handler failed every attempt and whose key is parked ({@link OnFailure#PARK_KEY}): what
 * an operator needs to decide between {@link RecordConsumer#resume} and {@link RecordConsumer#skip}.
 *
 * @param topic the record's topic
 * @param partition its partition
 * @param offset its offset
 * @param key the record's key as text (its bytes as UTF-8), or null
 * @param error what the last attempt threw
 * @param attempts how often it was tried
 * @param parkedFor how long its key has been parked
 * @param waitingBehind records of its key (or partition, under {@code PARTITION} ordering) waiting behind it
 */
public record ParkedRecord(
        String topic,
        int partition,
        long offset,
        String key,
        Throwable error,
        int attempts,
        Duration parkedFor,
        int waitingBehind) {

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset + " (key " + key + ") parked for " + parkedFor.toSeconds()
                + " s after " + attempts + " attempts: " + error + "; " + waitingBehind + " records wait behind it";
    }
}
