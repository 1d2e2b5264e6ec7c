package dev.ordo.exec;

import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link KeyOrderedExecutor} does with a task that failed its last allowed attempt
 * ({@link Retry}): one small strategy per choice, each named for what it does to the key's order.
 *
 * <ul>
 *   <li>{@link #park()} (the default): the key stops. The failed task stays at its head and every later
 *       task of the key waits behind it, while other keys go on; nothing is lost and nothing overtakes
 *       it. The task runs again on {@link KeyOrderedExecutor#resume}, or is given up on by an explicit
 *       {@link KeyOrderedExecutor#skip}. For state where a skipped update corrupts what follows (a
 *       ledger), this is the only safe choice.</li>
 *   <li>{@link #deadLetter(DeadLetterHandler)}: hand the task to a handler that parks it elsewhere (a
 *       dead-letter topic), then let the key move on. If the handler throws, the key is parked instead.</li>
 *   <li>{@link #skip()}: drop the task, logged at WARN and counted as skipped, and let the key move on.
 *       Spelled out on purpose: it is a decision to lose the task's effect.</li>
 * </ul>
 *
 * @param <K> the key type
 */
@FunctionalInterface
public interface FailurePolicy<K> {

    /** What became of an exhausted task. */
    enum Decision {
        /** The key stops with the task at its head until resumed or skipped. */
        PARK,
        /** The task was handed over elsewhere; the key moves on. */
        DEAD_LETTERED,
        /** The task was dropped; the key moves on. */
        SKIPPED,
        /**
         * The task's owner no longer answers for it (a consumer that gave its partition up): it ends with
         * {@link TaskAbandonedException}, neither done nor skipped, and the key moves on.
         */
        ABANDONED
    }

    /**
     * Decides on a task that failed {@code attempts} times, the last time with {@code error}. Runs on
     * the worker that ran the task, with the key still blocked. Throwing parks the key.
     */
    Decision exhausted(K key, KeyOrderedExecutor.Task task, Throwable error, int attempts) throws Exception;

    /** Stop the key at the failed task until {@link KeyOrderedExecutor#resume} or {@link KeyOrderedExecutor#skip}. */
    static <K> FailurePolicy<K> park() {
        return new Park<>();
    }

    /** Hand the task to {@code handler}, then move on; park the key if the handler throws. */
    static <K> FailurePolicy<K> deadLetter(DeadLetterHandler<K> handler) {
        return new DeadLetter<>(handler);
    }

    /** Drop the task (logged at WARN, counted as skipped) and move on. */
    static <K> FailurePolicy<K> skip() {
        return new Skip<>();
    }

    /** See {@link FailurePolicy#park()}. */
    final class Park<K> implements FailurePolicy<K> {
        private Park() {}

        @Override
        public Decision exhausted(K key, KeyOrderedExecutor.Task task, Throwable error, int attempts) {
            return Decision.PARK;
        }

        @Override
        public String toString() {
            return "park";
        }
    }

    /** See {@link FailurePolicy#deadLetter(DeadLetterHandler)}. */
    final class DeadLetter<K> implements FailurePolicy<K> {
        private final DeadLetterHandler<K> handler;

        private DeadLetter(DeadLetterHandler<K> handler) {
            this.handler = Objects.requireNonNull(handler, "handler must not be null");
        }

        @Override
        public Decision exhausted(K key, KeyOrderedExecutor.Task task, Throwable error, int attempts) throws Exception {
            handler.deadLetter(key, task, error, attempts);
            return Decision.DEAD_LETTERED;
        }

        @Override
        public String toString() {
            return "deadLetter(" + handler + ")";
        }
    }

    /** See {@link FailurePolicy#skip()}. */
    final class Skip<K> implements FailurePolicy<K> {
        private static final Logger LOG = LoggerFactory.getLogger(FailurePolicy.class);

        private Skip() {}

        @Override
        public Decision exhausted(K key, KeyOrderedExecutor.Task task, Throwable error, int attempts) {
            LOG.warn("task for key {} failed {} attempts and is skipped (failure policy skip)", key, attempts, error);
            return Decision.SKIPPED;
        }

        @Override
        public String toString() {
            return "skip";
        }
    }
}
