package dev.ordo.exec;

import java.time.Duration;

/**
 * A key of a {@link KeyOrderedExecutor} with a task in progress, as {@link KeyOrderedExecutor#inProgress()}
 * sees it: the operator's view of which keys are busy, for how long, and how much waits behind them. A key
 * whose task has run (or failed and been retried) for long is a <em>stuck key</em>: the lag of its
 * partition says little, the age of its head says what blocks.
 *
 * @param key the key
 * @param task its task being tried (the head of the key's queue)
 * @param state whether that task is running, failing and being retried, or parked
 * @param since how long ago the task's first attempt started (its latest resume, if it was parked)
 * @param attempts attempts started so far
 * @param lastError what the latest failed attempt threw; null if none failed
 * @param waitingBehind the key's later tasks waiting behind it
 * @param <K> the key type
 */
public record KeyInProgress<K>(
        K key,
        KeyOrderedExecutor.Task task,
        State state,
        Duration since,
        int attempts,
        Throwable lastError,
        int waitingBehind) {

    /** What the key's head task is doing. */
    public enum State {
        /** Its first attempt runs. */
        RUNNING,
        /** An attempt failed; it runs again or waits for its retry. */
        RETRYING,
        /** It failed every attempt and its key is parked until resumed or skipped. */
        PARKED
    }
}
