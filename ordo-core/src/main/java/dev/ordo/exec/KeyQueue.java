package dev.ordo.exec;

/**
 * A key's tasks: those queued and not yet taken by its owner, a chain linked through
 * {@link QueuedTask#next} and guarded by this queue's lock, and the run its owner took last. In the
 * executor's key map exactly while the key has unfinished tasks (queued or taken): the owner that finds
 * nothing more to take marks it {@link #retired} and removes it under its lock, so a submitter that still
 * found it makes a new one. Itself the owner's turn on the worker pool ({@link #run}): scheduling a key
 * makes nothing.
 */
final class KeyQueue<K> implements Runnable {
    final K key;
    private final KeyRunner<K> runner;

    /** The first and last task queued and not taken; under this queue's lock. */
    QueuedTask first;

    QueuedTask last;
    /** How many are queued and not taken; under this queue's lock. */
    int queued;
    /** Set, under the lock, as the queue leaves the key map. */
    boolean retired;

    /** The owner's run, from the task being tried on: written by whoever owns the key. */
    QueuedTask run;
    /** Tasks left in {@link #run}: written by the owner, read racily by snapshots (for a count only). */
    int runLeft;
    /** The key's task being tried now (running, waiting for a retry, or parked), written by its owner. */
    volatile QueuedTask head;

    // The task being tried (the run's head): kept per key, not per task, as one task of a key is tried at a
    // time. Written by the owner only, reset as the task ends; the operator's snapshots read them racily.
    /** Attempts of the run's head so far; 0 until its first starts. */
    int attempts;
    /** When the head's first attempt started; written before it becomes {@link #head}, which publishes it. */
    long startedNanos;
    /** What the head's latest failed attempt threw, or null. */
    Throwable lastError;

    KeyQueue(K key, KeyRunner<K> runner) {
        this.key = key;
        this.runner = runner;
    }

    /** Queues the chain {@code first} to {@code last} of {@code count} tasks behind the queued ones. */
    void append(QueuedTask first, QueuedTask last, int count) {
        if (this.last == null) {
            this.first = first;
        } else {
            this.last.next = first;
        }
        this.last = last;
        this.queued += count;
    }

    /** Moves the queued chain to the owner's run (owner, under the lock, with the run used up). */
    void takeQueued() {
        run = first;
        runLeft = queued;
        first = null;
        last = null;
        queued = 0;
    }

    /** Moves the run past its head, {@code task}, which ended (the owner, before telling the task). */
    void advance(QueuedTask task) {
        run = task.next;
        task.next = null;
        runLeft--;
        attempts = 0; // the next task has made none
        lastError = null;
    }

    /** The owner's turn: runs the key's tasks on this thread. */
    @Override
    public void run() {
        runner.runKey(this);
    }
}
