package dev.ordo.exec;

import dev.ordo.Ticker;
import dev.ordo.exec.KeyOrderedExecutor.Outcome;
import dev.ordo.exec.KeyOrderedExecutor.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys a {@link KeyRunner} stopped at a task that failed every attempt, and what an operator does with
 * them: resume, skip or abandon the parked task, the snapshots and counts of what waits, and the abandoning
 * of them all as the executor closes. Apart from the runner because nothing of it is on a task's way when
 * tasks succeed: a key gets here only once the failure policy parks it, and leaves through an operator or
 * the close. Whoever removes a key's entry from here owns the key; the runner runs its tasks on from there.
 *
 * @param <K> the key type
 */
final class ParkedKeys<K> {

    /** Under the executor's name: what operators see logged is the executor's. */
    private static final Logger LOG = LoggerFactory.getLogger(KeyOrderedExecutor.class);

    private final KeyRunner<K> runner;
    private final ParkListener<K> parkListener;
    private final Ticker ticker;
    private final PendingTasks pending;
    private final TaskCounts counts;
    private final ConcurrentHashMap<K, Parked<K>> parked = new ConcurrentHashMap<>();

    ParkedKeys(
            KeyRunner<K> runner, ParkListener<K> parkListener, Ticker ticker, PendingTasks pending, TaskCounts counts) {
        this.runner = runner;
        this.parkListener = parkListener;
        this.ticker = ticker;
        this.pending = pending;
        this.counts = counts;
    }

    /** Parks the key at {@code task}, the head of its queue's run, which failed for {@code error}. */
    void park(QueuedTask task, KeyQueue<K> queue, Throwable error) {
        Parked<K> entry = new Parked<>(task, queue, error, ticker.read());
        ParkedKey<K> snapshot = snapshot(entry);
        counts.parkings.increment();
        parked.put(queue.key, entry); // from here on an operator may own the key (resume, skip)
        LOG.error(
                "key {} parked: its task failed {} attempts and {} later tasks wait behind it;"
                        + " resume(key) tries it again, skip(key, reason) gives it up",
                queue.key,
                queue.attempts,
                snapshot.waitingBehind(),
                error);
        tell(() -> parkListener.onParked(snapshot), queue.key);
        pending.keyParked();
    }

    /** Whether {@code queue}'s key is parked at {@code task}. */
    boolean isParkedAt(KeyQueue<K> queue, QueuedTask task) {
        Parked<K> entry = parked.get(queue.key);
        return entry != null && entry.task == task;
    }

    /** See {@link KeyOrderedExecutor#parked()}. */
    List<ParkedKey<K>> parked() {
        List<ParkedKey<K>> list = new ArrayList<>(parked.size());
        for (Parked<K> entry : parked.values()) {
            list.add(snapshot(entry));
        }
        return list;
    }

    /**
     * Takes the key out of the parked ones, if it is parked at {@code expected} (any task if null): whoever
     * does owns the key. A snapshot an operator acts on may be stale; the task check keeps a decision on
     * one task from landing on another that parked since.
     */
    private Parked<K> claim(K key, Task expected) {
        Parked<K> entry = parked.get(key);
        if (entry == null || (expected != null && entry.task.task() != expected)) {
            return null;
        }
        return parked.remove(key, entry) ? entry : null;
    }

    /** See {@link KeyOrderedExecutor#resume}. */
    boolean resume(K key, Task expected) {
        Parked<K> entry = claim(key, expected);
        if (entry == null) {
            return false;
        }
        entry.queue.attempts = 0;
        entry.queue.lastError = null; // a fresh set of attempts: RUNNING until one fails
        LOG.info("key {} resumed: its parked task runs again", key);
        if (!runner.schedule(entry.queue)) {
            return false; // closed meanwhile: its tasks ended abandoned
        }
        tell(() -> parkListener.onResumed(key), key);
        return true;
    }

    /** See {@link KeyOrderedExecutor#skip}. */
    boolean skip(K key, Task expected, String reason) {
        Parked<K> entry = claim(key, expected);
        if (entry == null) {
            return false;
        }
        LOG.warn("key {}: its parked task is skipped after {} attempts: {}", key, entry.queue.attempts, reason);
        counts.skipped.increment();
        moveOn(entry, Outcome.SKIPPED, null);
        tell(() -> parkListener.onSkipped(key, entry.task.task(), reason), key);
        return true;
    }

    /** See {@link KeyOrderedExecutor#abandon}. */
    boolean abandon(K key, Task expected) {
        Parked<K> entry = claim(key, expected);
        if (entry == null) {
            return false;
        }
        moveOn(entry, null, KeyRunner.abandoned(entry.queue, "its owner gave it up"));
        return true;
    }

    /** Tells the park listener, which must not take the executor's bookkeeping down with it. */
    private void tell(Runnable call, K key) {
        try {
            call.run();
        } catch (RuntimeException listenerError) {
            LOG.error("park listener failed for key {}", key, listenerError);
        }
    }

    /**
     * Tasks matching {@code which} that cannot run until an operator acts: the parked ones and those queued
     * behind them. A consumer handing a partition over waits for its other tasks only.
     */
    int stuckTasks(Predicate<Task> which) {
        int count = 0;
        for (Parked<K> entry : parked.values()) {
            int inRun = 0;
            // The run stays as it is while the key is parked; its chain links tasks submitted later only, so
            // a walk that races a resume ends (and is then not counted).
            for (QueuedTask task = entry.task; task != null; task = task.next) {
                inRun += which.test(task.task()) ? 1 : 0;
            }
            if (parked.get(entry.queue.key) != entry) {
                continue; // its worker owns the run again: not stuck any more
            }
            count += inRun;
            synchronized (entry.queue) {
                for (QueuedTask task = entry.queue.first; task != null; task = task.next) {
                    count += which.test(task.task()) ? 1 : 0;
                }
            }
        }
        return count;
    }

    /** Ends a parked head by decision (skip, abandon): the key's next task runs. */
    private void moveOn(Parked<K> entry, Outcome outcome, Throwable error) {
        KeyQueue<K> queue = entry.queue;
        queue.head = null; // ended: not in progress while the key waits for a worker
        runner.end(queue, entry.task, outcome, error);
        pending.ended();
        runner.schedule(queue); // closed meanwhile: its tasks end abandoned
    }

    private ParkedKey<K> snapshot(Parked<K> entry) {
        long parkedNanos = Math.max(0, ticker.read() - entry.sinceNanos);
        int behind = entry.queue.runLeft - 1 + KeyRunner.queued(entry.queue);
        return new ParkedKey<>(
                entry.queue.key,
                entry.task.task(),
                entry.error,
                entry.queue.attempts,
                Duration.ofNanos(parkedNanos),
                behind);
    }

    /** Keys parked now. */
    int count() {
        return parked.size();
    }

    /** Tasks held by parked keys: those a close does not wait for. */
    int pendingTasks() {
        int count = 0;
        for (Parked<K> entry : parked.values()) {
            count += entry.queue.runLeft + KeyRunner.queued(entry.queue);
        }
        return count;
    }

    /**
     * Abandons the tasks of every key parked now (the executor closes); returns whether there were any.
     */
    boolean abandonAll() {
        boolean any = !parked.isEmpty();
        for (K key : List.copyOf(parked.keySet())) {
            Parked<K> entry = parked.remove(key);
            if (entry != null) {
                LOG.warn("executor closed with key {} parked: its {} tasks are abandoned", key, entry.queue.runLeft);
                runner.abandonAll(entry.queue);
            }
        }
        return any;
    }

    /** A parked key: the task that failed every attempt, at the head of its queue's run. */
    private record Parked<K>(QueuedTask task, KeyQueue<K> queue, Throwable error, long sinceNanos) {}
}
