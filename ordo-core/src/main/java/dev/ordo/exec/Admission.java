package dev.ordo.exec;

import dev.ordo.OrdoInterruptedException;
import dev.ordo.exec.KeyOrderedExecutor.Completion;
import dev.ordo.exec.KeyOrderedExecutor.Outcome;
import dev.ordo.exec.KeyOrderedExecutor.Task;
import dev.ordo.flow.Budget;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.ToLongFunction;

/**
 * How a {@link KeyOrderedExecutor} takes submissions in: all of a submission or none against the in-flight
 * budget (waiting or failing fast by the {@link SubmitPolicy}), a queue entry per task (a {@link Job} for a
 * plain task, the task itself for a {@link QueuedTask}) linked into one chain, and that chain handed to the
 * {@link KeyRunner} in one go.
 *
 * @param <K> the key type
 */
final class Admission<K> {

    private final Budget budget;
    private final SubmitPolicy submitPolicy;
    private final PendingTasks pending;
    private final TaskCounts counts;
    private final KeyRunner<K> runner;

    Admission(Budget budget, SubmitPolicy submitPolicy, PendingTasks pending, TaskCounts counts, KeyRunner<K> runner) {
        this.budget = budget;
        this.submitPolicy = submitPolicy;
        this.pending = pending;
        this.counts = counts;
        this.runner = runner;
    }

    /**
     * Admits every task or none (see {@link KeyOrderedExecutor#submitAll}) and queues them. With {@code bytes} null the tasks
     * are {@link QueuedTask}s, their own entries; else each gets a {@link Job}, whose future goes to
     * {@code futures} unless {@code onDone} is told instead.
     */
    @SuppressWarnings("unchecked")
    <T extends Task> void admitAll(
            K key,
            List<T> tasks,
            ToLongFunction<? super T> bytes,
            Completion<? super T> onDone,
            List<CompletableFuture<Outcome>> futures) {
        Objects.requireNonNull(key, "key must not be null");
        Objects.requireNonNull(tasks, "tasks must not be null");
        if (tasks.size() > budget.maxCount()) {
            throw new IllegalArgumentException(
                    "tasks must be at most maxInFlight (" + budget.maxCount() + ") at once, were " + tasks.size());
        }
        if (pending.isClosed()) {
            throw new IllegalStateException("executor is closed; submit before close()");
        }
        QueuedTask first = null;
        QueuedTask last = null;
        int count = 0;
        long admittedBytes = 0;
        try {
            for (T task : tasks) {
                Objects.requireNonNull(task, "task must not be null");
                QueuedTask entry;
                if (bytes == null) {
                    entry = (QueuedTask) task;
                    if (entry.submitted) {
                        throw new IllegalArgumentException(
                                "tasks must not have been submitted before, " + task + " was");
                    }
                    admit(0);
                    entry.submitted = true;
                } else {
                    long size = bytes.applyAsLong(task);
                    admit(size);
                    admittedBytes += size;
                    entry = new Job(task, size, (Completion<Task>) onDone);
                }
                if (last == null) {
                    first = entry;
                } else {
                    last.next = entry;
                }
                last = entry;
                count++;
            }
        } catch (RuntimeException e) {
            if (count > 0) {
                budget.release(count, admittedBytes);
                for (QueuedTask entry = first; entry != null; ) { // as they were: none submitted
                    QueuedTask next = entry.next;
                    entry.submitted = false;
                    entry.next = null;
                    entry = next;
                }
            }
            throw e;
        }
        if (count == 0) {
            return;
        }
        if (futures != null) {
            for (QueuedTask entry = first; entry != null; entry = entry.next) {
                futures.add(((Job) entry).future);
            }
        }
        pending.added(count);
        counts.submitted.add(count);
        runner.enqueue(key, first, last, count);
    }

    private void admit(long bytes) {
        if (submitPolicy == SubmitPolicy.FAIL_FAST) {
            budget.acquireOrThrow(bytes);
            return;
        }
        try {
            budget.acquire(bytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrdoInterruptedException("interrupted while waiting for in-flight budget", e);
        }
    }
}
