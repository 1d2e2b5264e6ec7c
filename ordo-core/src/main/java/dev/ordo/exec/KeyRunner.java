package dev.ordo.exec;

import dev.ordo.Ticker;
import dev.ordo.exec.KeyOrderedExecutor.Outcome;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running of a {@link KeyOrderedExecutor}'s keys: each key's queue run on the worker pool one task
 * after another, attempts and retries with the key blocked, the failure policy for a task that failed
 * every attempt, which may park its key ({@link ParkedKeys} keeps those and the operator's resume, skip
 * and abandon). Admission (the budget) and the close protocol are the executor's; a task's end gives its
 * budget back here.
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
    private final Ticker ticker;
    private final AdaptiveConcurrencyLimit concurrencyLimit;
    /** Keys stopped at a task that failed every attempt, and the operator's decisions on them. */
    private final ParkedKeys<K> parked;

    KeyRunner(KeyOrderedExecutor.Builder<K> b, Budget budget, PendingTasks pending, TaskCounts counts) {
        this.budget = budget;
        this.pending = pending;
        this.counts = counts;
        this.retry = b.retry;
        this.failurePolicy = b.failurePolicy;
        this.ticker = b.ticker;
        this.parked = new ParkedKeys<>(this, b.parkListener, b.ticker, pending, counts);
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

    /**
     * Puts the turn of a key's owner on the worker pool; false if the pool was closed, the key's tasks then
     * abandoned.
     */
    boolean schedule(KeyQueue<K> queue) {
        try {
            workers.execute(queue);
            return true;
        } catch (RejectedExecutionException stopped) {
            // A submit or an operator's decision that raced close(): its tasks end abandoned, not wait for ever.
            abandonAll(queue);
            return false;
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
                parked.park(task, queue, reason);
                return false;
            }
            case ABANDONED -> {
                end(queue, task, null, abandoned(queue, "its owner no longer answers for it"));
                return true;
            }
            default -> throw new AssertionError(decision);
        }
    }

    /** Tasks queued for the key and not yet taken by its owner. */
    static int queued(KeyQueue<?> queue) {
        synchronized (queue) {
            return queue.queued;
        }
    }

    /** Why the head of {@code queue}'s run ends abandoned. */
    static TaskAbandonedException abandoned(KeyQueue<?> queue, String why) {
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
    void end(KeyQueue<K> queue, QueuedTask task, Outcome outcome, Throwable error) {
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
            KeyInProgress.State state = parked.isParkedAt(queue, task)
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

    /** The parked keys, for the operator's decisions on them. */
    ParkedKeys<K> parked() {
        return parked;
    }

    /** Keys with queued, running or parked work. */
    int activeKeys() {
        return queues.size();
    }

    /** Abandons the key's run and everything queued behind it (the caller owns the key). */
    void abandonAll(KeyQueue<K> queue) {
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
}
