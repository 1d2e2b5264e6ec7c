package dev.ordo.exec;

import dev.ordo.exec.KeyOrderedExecutor.Completion;
import dev.ordo.exec.KeyOrderedExecutor.Outcome;
import dev.ordo.exec.KeyOrderedExecutor.Task;
import java.util.concurrent.CompletableFuture;

/**
 * A task admitted for a key, with what its end is told to and what an operator's snapshot
 * ({@link KeyOrderedExecutor#inProgress()}) reads of it while it runs: when its first attempt started, how
 * many attempts it made, what the last one threw.
 */
final class Job<K> {
    final K key;
    final Task task;
    final long bytes;
    /** Told when the job ends; or, when null, {@link #future} is completed. */
    final Completion<Task> onDone;

    final CompletableFuture<Outcome> future;
    /** The key's queue it was admitted to; set under the key map's lock before any worker sees the job. */
    KeyQueue<K> queue;
    /** Written by the key's owner only; the operator's snapshot reads it racily. */
    int attempts;
    /** When the first attempt started; written before the job becomes its queue's head, which publishes it. */
    long startedNanos;
    /** What the latest failed attempt threw; the operator's snapshot reads it racily. */
    Throwable lastError;

    Job(K key, Task task, long bytes, Completion<Task> onDone) {
        this.key = key;
        this.task = task;
        this.bytes = bytes;
        this.onDone = onDone;
        this.future = onDone == null ? new CompletableFuture<>() : null;
    }
}
