package dev.ordo.exec;

import dev.ordo.Ticker;
import dev.ordo.exec.KeyOrderedExecutor.Outcome;
import dev.ordo.exec.KeyOrderedExecutor.Task;
import dev.ordo.flow.AdaptiveConcurrencyLimit;
import dev.ordo.flow.Budget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running of a {@link KeyOrderedExecutor}'s keys: each key's queue run on the worker pool one task
 * after another, attempts and retries with the key blocked, the failure policy for a task that failed
 * every attempt, and parking with the operator's resume, skip and abandon. Admission (the budget) and
 * the close protocol are the executor's; a task's end gives its budget back here.
 *
 * @param <K> the key type
 */
final class KeyRunner<K> {

    /** Under the executor's name: what operators see logged is the executor's. */
    private static final Logger LOG = LoggerFactory.getLogger(KeyOrderedExecutor.class);

    private static final int TASKS_PER_TURN = 64;

    private final ConcurrentHashMap<K, KeyQueue<K>> queues = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor workers;
    private final ScheduledThreadPoolExecutor retryTimer;
    private final Budget budget;
    private final PendingTasks pending;
    private final TaskCounts counts;
    /** Replaced by {@link #retry(Retry)}; read at each failed attempt. */
    private volatile Retry retry;

    private final FailurePolicy<K> failurePolicy;
    private final ParkListener<K> parkListener;
    private final Ticker ticker;
    private final AdaptiveConcurrencyLimit concurrencyLimit;
    /** Keys stopped at a task that failed every attempt; whoever removes a key's entry owns the key. */
    private final ConcurrentHashMap<K, Parked<K>> parked = new ConcurrentHashMap<>();

    KeyRunner(KeyOrderedExecutor.Builder<K> b, Budget budget, PendingTasks pending, TaskCounts counts) {
        this.budget = budget;
        this.pending = pending;
        this.counts = counts;
        this.retry = b.retry;
        this.failurePolicy = b.failurePolicy;
        this.parkListener = b.parkListener;
        this.ticker = b.ticker;
        this.concurrencyLimit = b.concurrencyLimit;
        this.workers = b.workerPool != null
                ? b.workerPool
                : new ThreadPoolExecutor(
                        b.concurrency,
                        b.concurrency,
                        0,
                        TimeUnit.MILLISECONDS,
                        new LinkedBlockingQueue<>(),
                        b.virtualThreads
                                ? VirtualThreads.factory(b.threadName + "-worker-")
                                : daemonThreads(b.threadName + "-worker-"));
        // Started now, not with the first tasks: a consumer's first records would otherwise wait
        // for thread creation (up to 10 ms for eight workers on the benchmark VM).
        this.workers.prestartAllCoreThreads();
        this.retryTimer = new ScheduledThreadPoolExecutor(1, daemonThreads(b.threadName + "-retry-"));
        this.retryTimer.setRemoveOnCancelPolicy(true);
    }

    /**
     * Sets the number of workers. More start at once; with fewer, workers beyond the count end once their
     * current run is done (a key's jobs stay with whoever owns the key, so its order is untouched).
     */
    synchronized void resize(int concurrency) {
        if (concurrency > workers.getMaximumPoolSize()) {
            workers.setMaximumPoolSize(concurrency);
            workers.setCorePoolSize(concurrency);
            workers.prestartAllCoreThreads();
        } else {
            workers.setCorePoolSize(concurrency);
            workers.setMaximumPoolSize(concurrency);
        }
    }

    /** The number of workers. */
    int concurrency() {
        return workers.getMaximumPoolSize();
    }

    /** Tries failing tasks by {@code retry} from their next failed attempt on. */
    void retry(Retry retry) {
        this.retry = retry;
    }

    Retry retry() {
        return retry;
    }

    /**
     * Queues admitted tasks, the chain {@code first} to {@code last} of {@code count}, behind the key's earlier
     * ones; the first task of an idle key schedules it on a worker.
     */
    void enqueue(K key, QueuedTask first, QueuedTask last, int count) {
        for (; ; ) {
            KeyQueue<K> queue = queues.get(key);
            if (queue == null) {
                KeyQueue<K> fresh = new KeyQueue<>(key, this);
                fresh.append(first, last, count); // before it is published: its owner finds the tasks
                if (queues.putIfAbsent(key, fresh) == null) {
                    schedule(fresh);
                    return;
                }
                continue; // another submitter's came first: queue behind its tasks
            }
            synchronized (queue) {
                if (!queue.retired) {
                    queue.append(first, last, count);
                    return;
                }
            }
            // Its key went idle meanwhile: the queue has left the map, so the next look makes a new one.
        }
    }

    /** Puts the owner's turn of a key that just became busy on the worker pool. */
    private void schedule(KeyQueue<K> queue) {
        try {
            workers.execute(queue);
        } catch (RejectedExecutionException stopped) {
            // A submit that raced close(): its tasks end abandoned rather than wait for ever.
            abandonAll(queue);
        }
    }

    /**
     * Runs a key's tasks: its owner's run (in order), then whatever was queued for the key meanwhile,
     * until nothing is queued or the turn is over. Exactly one worker (or the retry timer) owns a key at
     * a time: whoever made its queue non-empty, then whoever it hands over to; the key stays in the map
     * (nothing queued) while its owner runs the tasks it took, so that a submission meanwhile queues behind
     * them instead of scheduling the key again. The tasks are taken a run at a time: one turn of the queue's
     * lock per run instead of one per task.
     */
    void runKey(KeyQueue<K> queue) {
        for (int done = 0; ; done++) {
            QueuedTask task = queue.run;
            if (task == null) {
                if (!take(queue)) {
                    return; // the key went idle: take() removed it from the map
                }
                task = queue.run;
            }
            // Yield only to keys that wait for a worker: handing over with nobody waiting would just
            // wake an idle worker to carry on with this key.
            if (done >= TASKS_PER_TURN && !workers.getQueue().isEmpty()) {
                queue.head = null; // waits for a worker: nothing of the key is in progress meanwhile
                workers.execute(queue);
                return;
            }
            if (!attempt(task, queue)) {
                return; // a retry is scheduled, or the key is parked; either way the key stays blocked
            }
            pending.ended();
        }
    }

    /**
     * Takes every task queued for the key as its owner's next run; or, if there is none, removes the key
     * from the map (it went idle) and returns false.
     */
    private boolean take(KeyQueue<K> queue) {
        synchronized (queue) {
            if (queue.first == null) {
                queue.retired = true;
                queues.remove(queue.key, queue);
                return false;
            }
            queue.takeQueued();
            return true;
        }
    }

    /**
     * Runs one attempt of {@code task}, the head of its queue's run; returns false if the task has not ended:
     * it will be retried later, or its key is parked (either way with the task at the run's head).
     */
    private boolean attempt(QueuedTask task, KeyQueue<K> queue) {
        if (queue.attempts == 0) {
            queue.startedNanos = ticker.read();
            queue.head = task; // what inProgress() shows for the key from now on
        }
        queue.attempts++;
        try {
            runLimited(task);
            counts.succeeded.increment();
            end(queue, task, Outcome.SUCCEEDED, null);
            return true;
        } catch (Throwable error) {
            queue.lastError = error;
            Retry retry = this.retry; // one setting for the decision and the wait
            if (queue.attempts < retry.maxAttempts()) {
                counts.retries.increment();
                long delay = retry.backoff().delayNanos(queue.attempts);
                retryTimer.schedule(() -> workers.execute(queue), delay, TimeUnit.NANOSECONDS);
                return false;
            }
            return exhausted(task, queue, error);
        }
    }

    /** Applies the failure policy to a task that failed its last attempt; false if its key is now parked. */
    private boolean exhausted(QueuedTask task, KeyQueue<K> queue, Throwable error) {
        FailurePolicy.Decision decision;
        Throwable reason = error;
        try {
            decision = failurePolicy.exhausted(queue.key, task.task(), error, queue.attempts);
        } catch (Throwable policyError) {
            policyError.addSuppressed(error);
            reason = policyError;
            decision = FailurePolicy.Decision.PARK; // never lose the task because its dead-lettering failed
        }
        switch (decision) {
            case DEAD_LETTERED -> {
                counts.deadLettered.increment();
                end(queue, task, Outcome.DEAD_LETTERED, null);
                return true;
            }
            case SKIPPED -> {
                counts.skipped.increment();
                end(queue, task, Outcome.SKIPPED, null);
                return true;
            }
            case PARK -> {
                park(task, queue, reason);
                return false;
            }
            case ABANDONED -> {
                end(queue, task, null, abandoned(queue, "its owner no longer answers for it"));
                return true;
            }
            default -> throw new AssertionError(decision);
        }
    }

    private void park(QueuedTask task, KeyQueue<K> queue, Throwable error) {
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
        try {
            workers.execute(entry.queue);
        } catch (RejectedExecutionException stopped) {
            abandonAll(entry.queue); // closed meanwhile
            return false;
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
        moveOn(entry, null, abandoned(entry.queue, "its owner gave it up"));
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
        end(queue, entry.task, outcome, error);
        pending.ended();
        try {
            workers.execute(queue);
        } catch (RejectedExecutionException stopped) {
            abandonAll(queue); // closed meanwhile
        }
    }

    private ParkedKey<K> snapshot(Parked<K> entry) {
        long parkedNanos = Math.max(0, ticker.read() - entry.sinceNanos);
        int behind = entry.queue.runLeft - 1 + queued(entry.queue);
        return new ParkedKey<>(
                entry.queue.key,
                entry.task.task(),
                entry.error,
                entry.queue.attempts,
                Duration.ofNanos(parkedNanos),
                behind);
    }

    /** Tasks queued for the key and not yet taken by its owner. */
    private int queued(KeyQueue<K> queue) {
        synchronized (queue) {
            return queue.queued;
        }
    }

    /** Why the head of {@code queue}'s run ends abandoned. */
    private TaskAbandonedException abandoned(KeyQueue<K> queue, String why) {
        return new TaskAbandonedException(
                "task of key " + queue.key + " abandoned after " + queue.attempts + " attempts: " + why);
    }

    /** Runs a task, under the adaptive concurrency limit if there is one, reporting its latency to it. */
    private void runLimited(QueuedTask task) throws Exception {
        if (concurrencyLimit == null) {
            task.run();
            return;
        }
        concurrencyLimit.acquire();
        long start = System.nanoTime();
        try {
            task.run();
        } finally {
            concurrencyLimit.release(System.nanoTime() - start);
        }
    }

    /**
     * Ends {@code task}, the head of its queue's run: moves the run past it before telling it (what it is told
     * may let its submitter drop it), and gives its budget back.
     */
    private void end(KeyQueue<K> queue, QueuedTask task, Outcome outcome, Throwable error) {
        queue.advance(task);
        budget.release(task.bytes());
        try {
            task.ended(outcome, error);
        } catch (Throwable listenerError) {
            LOG.error("completion callback failed for key {}", queue.key, listenerError);
        }
    }

    /**
     * See {@link KeyOrderedExecutor#inProgress()}. Each key's head is read through its queue's volatile
     * {@code head}, which its owner writes after the head's start time; the attempts, the last error and the
     * owner's run length are read without a lock (a snapshot may be a moment behind, never torn). They are the
     * key's, kept for its head: a key whose head changed while they were read, or ended with the next not yet
     * started, is left out of this snapshot.
     */
    List<KeyInProgress<K>> inProgress() {
        long now = ticker.read();
        List<KeyInProgress<K>> list = new ArrayList<>();
        for (KeyQueue<K> queue : queues.values()) {
            QueuedTask task = queue.head;
            if (task == null) {
                continue; // its first task not started yet, or waiting for a worker after its turn
            }
            long startedNanos = queue.startedNanos;
            int attempts = queue.attempts;
            Throwable lastError = queue.lastError;
            if (attempts == 0 || queue.head != task) {
                continue; // between two tasks
            }
            Parked<K> parkedAt = parked.get(queue.key);
            KeyInProgress.State state = parkedAt != null && parkedAt.task == task
                    ? KeyInProgress.State.PARKED
                    : lastError != null ? KeyInProgress.State.RETRYING : KeyInProgress.State.RUNNING;
            int behind = Math.max(0, queue.runLeft - 1) + queued(queue);
            list.add(new KeyInProgress<>(
                    queue.key,
                    task.task(),
                    state,
                    Duration.ofNanos(Math.max(0, now - startedNanos)),
                    attempts,
                    lastError,
                    behind));
        }
        list.sort(Comparator.comparing(KeyInProgress<K>::since).reversed());
        return list;
    }

    /** Keys parked now. */
    int parkedKeys() {
        return parked.size();
    }

    /** Keys with queued, running or parked work. */
    int activeKeys() {
        return queues.size();
    }

    /** Tasks held by parked keys: those a close does not wait for. */
    int parkedPending() {
        int count = 0;
        for (Parked<K> entry : parked.values()) {
            count += entry.queue.runLeft + queued(entry.queue);
        }
        return count;
    }

    /**
     * Abandons the tasks of every key parked now (the executor closes); returns whether there were any.
     */
    boolean abandonParked() {
        boolean any = !parked.isEmpty();
        for (K key : List.copyOf(parked.keySet())) {
            Parked<K> entry = parked.remove(key);
            if (entry != null) {
                LOG.warn("executor closed with key {} parked: its {} tasks are abandoned", key, entry.queue.runLeft);
                abandonAll(entry.queue);
            }
        }
        return any;
    }

    /** Abandons the key's run and everything queued behind it (the caller owns the key). */
    private void abandonAll(KeyQueue<K> queue) {
        do {
            for (QueuedTask task = queue.run; task != null; task = queue.run) {
                end(queue, task, null, abandoned(queue, "its key was parked when the executor closed"));
                pending.ended();
            }
        } while (take(queue));
    }

    /** Stops the threads: at once if tasks are still pending (they are abandoned), else once idle. */
    void stop() {
        retryTimer.shutdownNow();
        if (pending.count() == 0) {
            workers.shutdown();
        } else {
            workers.shutdownNow();
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** A parked key: the task that failed every attempt, at the head of its queue's run. */
    private record Parked<K>(QueuedTask task, KeyQueue<K> queue, Throwable error, long sinceNanos) {}
}
