package dev.ordo.exec;

import dev.ordo.exec.KeyOrderedExecutor.Outcome;

/**
 * A task that is its own entry in its key's queue: the executor links it to the key's next task through the
 * task itself (what it records of attempts is kept per key, for the one task of the key being tried),
 * where {@link KeyOrderedExecutor#submit} makes an entry and a future per task. For a caller that hands
 * over many small tasks (a consumer's records), the task is the only object per task. Submitted with
 * {@link KeyOrderedExecutor#submitQueued}, it is told its end through {@link #ended}; order, retries, the
 * failure policy, parking and the operator's snapshots are those of any other task.
 *
 * <pre>{@code
 * final class RecordTask extends QueuedTask {
 *     final long offset;
 *     RecordTask(long offset) { this.offset = offset; }
 *     public void run() { ledger.apply(offset); }
 *     protected void ended(Outcome outcome, Throwable error) { tracker.complete(0, offset); }
 * }
 * executor.submitQueued("ACC-1", List.of(new RecordTask(41), new RecordTask(42)));
 * }</pre>
 *
 * <p>A queued task is submitted once: its fields are the executor's from then on, even after it ended.
 */
public abstract class QueuedTask implements KeyOrderedExecutor.Task {

    /**
     * The key's next task: in the chain of tasks queued for the key (under its queue's lock), then in the
     * run its owner took; cleared when the task ends.
     */
    QueuedTask next;
    /** Set when it was admitted: a second submission would tie two queues' chains together. */
    boolean submitted;

    protected QueuedTask() {}

    /**
     * Told once when the task has ended, on the thread that ended it (a worker, or the caller of
     * {@link KeyOrderedExecutor#skip} / {@link KeyOrderedExecutor#abandon} / {@link KeyOrderedExecutor#close}):
     * what a future of {@link KeyOrderedExecutor#submit} would say. It should be quick and must not throw (what
     * it throws is logged and otherwise ignored).
     *
     * @param outcome how the task ended, or null if it was abandoned
     * @param error a {@link TaskAbandonedException} if it was abandoned, else null
     */
    protected abstract void ended(Outcome outcome, Throwable error);

    /** The task as policies, callbacks and snapshots see it: itself, unless it wraps one. */
    KeyOrderedExecutor.Task task() {
        return this;
    }

    /** Its size charged against {@code maxInFlightBytes}, the same at every call: none unless it wraps a task. */
    long bytes() {
        return 0;
    }
}
