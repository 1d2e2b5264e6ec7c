package dev.ordo.exec;

/**
 * Told when a {@link KeyOrderedExecutor} parks a key ({@link FailurePolicy#park()}) and when an
 * operator resumes or skips it: for alerts and audit. Every method has a no-op default. Called on
 * the thread that made the change; be quick, and do not call back into the executor.
 *
 * @param <K> the key type
 */
public interface ParkListener<K> {

    /** {@code parked.key()} stopped at a task that failed every attempt. */
    default void onParked(ParkedKey<K> parked) {}

    /** The parked task of {@code key} is tried again. */
    default void onResumed(K key) {}

    /** The parked task of {@code key} was given up on by an explicit decision, for {@code reason}. */
    default void onSkipped(K key, KeyOrderedExecutor.Task task, String reason) {}
}
