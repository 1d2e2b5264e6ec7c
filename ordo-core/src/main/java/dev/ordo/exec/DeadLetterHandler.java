package dev.ordo.exec;

/**
 * Receives a task that failed on every allowed attempt, so that it can be parked (a dead-letter
 * topic, a table, a log) and the key can move on.
 *
 * <p>If this handler throws, the task's future completes exceptionally with that error; the key
 * still moves on.
 *
 * @param <K> the key type
 */
@FunctionalInterface
public interface DeadLetterHandler<K> {

    void deadLetter(K key, KeyOrderedExecutor.Task task, Throwable lastError, int attempts) throws Exception;
}
