package dev.ordo.exec;

import java.time.Duration;

/**
 * A key stopped by {@link FailurePolicy#park()}: its task that failed every attempt, and how many
 * tasks wait behind it. A snapshot; {@link KeyOrderedExecutor#parked()} gives the current ones.
 *
 * @param key the parked key
 * @param task the task that keeps failing (at the key's head)
 * @param error what its last attempt threw
 * @param attempts how often it was tried
 * @param parkedFor how long the key has been parked, on the executor's ticker
 * @param waitingBehind the key's later tasks waiting behind it
 * @param <K> the key type
 */
public record ParkedKey<K>(
        K key, KeyOrderedExecutor.Task task, Throwable error, int attempts, Duration parkedFor, int waitingBehind) {

    @Override
    public String toString() {
        return "key " + key + " parked for " + parkedFor.toMillis() + " ms after " + attempts + " attempts (" + error
                + "), " + waitingBehind + " tasks waiting behind it";
    }
}
