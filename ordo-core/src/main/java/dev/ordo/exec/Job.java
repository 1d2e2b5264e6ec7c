package dev.ordo.exec;

import dev.ordo.exec.KeyOrderedExecutor.Completion;
import dev.ordo.exec.KeyOrderedExecutor.Outcome;
import dev.ordo.exec.KeyOrderedExecutor.Task;
import java.util.concurrent.CompletableFuture;

/**
 * The queue entry of a task submitted with {@link KeyOrderedExecutor#submit} or
 * {@link KeyOrderedExecutor#submitAll}: the task, its declared bytes, and what its end is told to.
 */
final class Job extends QueuedTask {
    private final Task task;
    private final long bytes;
    /** Told when the job ends; or, when null, {@link #future} is completed. */
    private final Completion<Task> onDone;

    final CompletableFuture<Outcome> future;

    Job(Task task, long bytes, Completion<Task> onDone) {
        this.task = task;
        this.bytes = bytes;
        this.onDone = onDone;
        this.future = onDone == null ? new CompletableFuture<>() : null;
    }

    @Override
    public void run() throws Exception {
        task.run();
    }

    @Override
    protected void ended(Outcome outcome, Throwable error) {
        if (onDone != null) {
            onDone.completed(task, outcome, error);
        } else if (error == null) {
            future.complete(outcome);
        } else {
            future.completeExceptionally(error);
        }
    }

    @Override
    Task task() {
        return task;
    }

    @Override
    long bytes() {
        return bytes;
    }
}
