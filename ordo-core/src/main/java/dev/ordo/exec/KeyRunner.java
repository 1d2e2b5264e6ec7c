package dev.ordo.exec;

import dev.ordo.Ticker;
import dev.ordo.exec.KeyOrderedExecutor.Outcome;
import dev.ordo.exec.KeyOrderedExecutor.Task;
import dev.ordo.flow.AdaptiveConcurrencyLimit;
import dev.ordo.flow.Budget;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.ConcurrentModificationException;
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

    /** Queues admitted jobs behind the key's earlier ones; the first job of an idle key schedules it on a worker. */
    void enqueue(K key, List<Job<K>> jobs) {
        boolean[] becameActive = {false};
        queues.compute(key, (k, queue) -> {
            // A queue is in the map exactly while its key has unfinished jobs.
            KeyQueue<K> q = queue;
            if (q == null) {
                q = new KeyQueue<>(jobs.size());
                becameActive[0] = true;
            }
            for (Job<K> job : jobs) {
                job.queue = q;
            }
            q.jobs.addAll(jobs);
            return q;
        });
        if (becameActive[0]) {
            try {
                workers.execute(() -> runKey(take(key)));
            } catch (RejectedExecutionException stopped) {
                // A submit that raced close(): its tasks end abandoned rather than wait for ever.
                abandonAll(key, take(key));
            }
        }
    }

    /**
     * Runs a key's jobs, {@code mine} (taken from its queue, in order), then whatever was queued for
     * the key meanwhile, until the queue is empty or the turn is over. Exactly one worker (or the
     * retry timer) owns a key at a time: whoever made its queue non-empty, then whoever it hands
     * over to; the key stays in the map (its queue possibly empty) while its owner runs the jobs it
     * took, so that a submission meanwhile queues behind them instead of scheduling the key again.
     * The jobs are taken from the queue a run at a time: one turn of the map's lock per run instead
     * of one per job.
     */
    private void runKey(ArrayDeque<Job<K>> mine) {
        for (int done = 0; ; done++) {
            Job<K> job = mine.peekFirst();
            if (job == null) {
                return; // the key went idle: take() removed it from the map
            }
            // Yield only to keys that wait for a worker: handing over with nobody waiting would just
            // wake an idle worker to carry on with this key.
            if (done >= TASKS_PER_TURN && !workers.getQueue().isEmpty()) {
                job.queue.head = null; // waits for a worker: nothing of the key is in progress meanwhile
                ArrayDeque<Job<K>> rest = mine;
                workers.execute(() -> runKey(rest));
                return;
            }
            if (!attempt(job, mine)) {
                return; // a retry is scheduled, or the key is parked; either way the key stays blocked
            }
            mine = removeHead(mine, job.key);
        }
    }

    /** Drops the ended head of {@code run}; returns the key's next run (taken from its queue if need be). */
    private ArrayDeque<Job<K>> removeHead(ArrayDeque<Job<K>> run, K key) {
        run.pollFirst();
        pending.ended();
        return run.isEmpty() ? take(key) : run;
    }

    /**
     * Takes every job queued for {@code key} (its owner's next run), or, if there is none, removes
     * the key from the map (it went idle) and returns an empty run.
     */
    private ArrayDeque<Job<K>> take(K key) {
        @SuppressWarnings("unchecked")
        ArrayDeque<Job<K>>[] taken = new ArrayDeque[1];
        queues.computeIfPresent(key, (k, queue) -> {
            taken[0] = queue.jobs;
            if (queue.jobs.isEmpty()) {
                return null;
            }
            queue.jobs = new ArrayDeque<>(KeyQueue.QUEUE_START);
            queue.run = taken[0];
            return queue;
        });
        return taken[0] != null ? taken[0] : new ArrayDeque<>(0);
    }

    /**
     * Runs one attempt; returns false if the job has not ended: it will be retried later, or its key is
     * parked (either way with {@code run}, it at its head).
     */
    private boolean attempt(Job<K> job, ArrayDeque<Job<K>> run) {
        if (job.attempts == 0) {
            job.startedNanos = ticker.read();
            job.queue.head = job; // what inProgress() shows for the key from now on
        }
        job.attempts++;
        try {
            runLimited(job.task);
            counts.succeeded.increment();
            finish(job, Outcome.SUCCEEDED, null);
            return true;
        } catch (Throwable error) {
            job.lastError = error;
            Retry retry = this.retry; // one setting for the decision and the wait
            if (job.attempts < retry.maxAttempts()) {
                counts.retries.increment();
                long delay = retry.backoff().delayNanos(job.attempts);
                retryTimer.schedule(() -> workers.execute(() -> runKey(run)), delay, TimeUnit.NANOSECONDS);
                return false;
            }
            return exhausted(job, run, error);
        }
    }

    /** Applies the failure policy to a job that failed its last attempt; false if its key is now parked. */
    private boolean exhausted(Job<K> job, ArrayDeque<Job<K>> run, Throwable error) {
        FailurePolicy.Decision decision;
        Throwable reason = error;
        try {
            decision = failurePolicy.exhausted(job.key, job.task, error, job.attempts);
        } catch (Throwable policyError) {
            policyError.addSuppressed(error);
            reason = policyError;
            decision = FailurePolicy.Decision.PARK; // never lose the task because its dead-lettering failed
        }
        switch (decision) {
            case DEAD_LETTERED -> {
                counts.deadLettered.increment();
                finish(job, Outcome.DEAD_LETTERED, null);
                return true;
            }
            case SKIPPED -> {
                counts.skipped.increment();
                finish(job, Outcome.SKIPPED, null);
                return true;
            }
            case PARK -> {
                park(job, run, reason);
                return false;
            }
            case ABANDONED -> {
                finish(job, null, abandoned(job, "its owner no longer answers for it"));
                return true;
            }
            default -> throw new AssertionError(decision);
        }
    }

    private void park(Job<K> job, ArrayDeque<Job<K>> run, Throwable error) {
        Parked<K> entry = new Parked<>(job, run, error, ticker.read());
        ParkedKey<K> snapshot = snapshot(entry);
        counts.parkings.increment();
        parked.put(job.key, entry); // from here on an operator may own the key (resume, skip)
        LOG.error(
                "key {} parked: its task failed {} attempts and {} later tasks wait behind it;"
                        + " resume(key) tries it again, skip(key, reason) gives it up",
                job.key,
                job.attempts,
                snapshot.waitingBehind(),
                error);
        tell(() -> parkListener.onParked(snapshot), job.key);
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
        if (entry == null || (expected != null && entry.job.task != expected)) {
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
        entry.job.attempts = 0;
        entry.job.lastError = null; // a fresh set of attempts: RUNNING until one fails
        LOG.info("key {} resumed: its parked task runs again", key);
        try {
            workers.execute(() -> runKey(entry.run));
        } catch (RejectedExecutionException stopped) {
            abandonAll(key, entry.run); // closed meanwhile
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
        LOG.warn("key {}: its parked task is skipped after {} attempts: {}", key, entry.job.attempts, reason);
        counts.skipped.increment();
        finish(entry.job, Outcome.SKIPPED, null);
        moveOn(entry);
        tell(() -> parkListener.onSkipped(key, entry.job.task, reason), key);
        return true;
    }

    /** See {@link KeyOrderedExecutor#abandon}. */
    boolean abandon(K key, Task expected) {
        Parked<K> entry = claim(key, expected);
        if (entry == null) {
            return false;
        }
        finish(entry.job, null, abandoned(entry.job, "its owner gave it up"));
        moveOn(entry);
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
            try {
                for (Job<K> job : entry.run) {
                    count += which.test(job.task) ? 1 : 0;
                }
            } catch (ConcurrentModificationException resumedMeanwhile) {
                continue; // its worker owns the run again: not stuck any more
            }
            int[] queuedMatching = {0};
            queues.computeIfPresent(entry.job.key, (k, q) -> {
                for (Job<K> job : q.jobs) {
                    queuedMatching[0] += which.test(job.task) ? 1 : 0;
                }
                return q;
            });
            count += queuedMatching[0];
        }
        return count;
    }

    /** After a parked head ended by decision: the key's next task runs. */
    private void moveOn(Parked<K> entry) {
        ArrayDeque<Job<K>> run = entry.run;
        K key = entry.job.key;
        entry.job.queue.head = null; // ended: not in progress while the key waits for a worker
        run.pollFirst();
        pending.ended();
        try {
            workers.execute(() -> runKey(run.isEmpty() ? take(key) : run));
        } catch (RejectedExecutionException stopped) {
            abandonAll(key, run); // closed meanwhile
        }
    }

    private ParkedKey<K> snapshot(Parked<K> entry) {
        long parkedNanos = Math.max(0, ticker.read() - entry.sinceNanos);
        int behind = entry.run.size() - 1 + queued(entry.job.key);
        return new ParkedKey<>(
                entry.job.key, entry.job.task, entry.error, entry.job.attempts, Duration.ofNanos(parkedNanos), behind);
    }

    /** Jobs queued for {@code key} and not yet taken by its owner. */
    private int queued(K key) {
        int[] size = {0};
        queues.computeIfPresent(key, (k, q) -> {
            size[0] = q.jobs.size();
            return q;
        });
        return size[0];
    }

    private TaskAbandonedException abandoned(Job<K> job, String why) {
        return new TaskAbandonedException(
                "task of key " + job.key + " abandoned after " + job.attempts + " attempts: " + why);
    }

    /** Runs a task, under the adaptive concurrency limit if there is one, reporting its latency to it. */
    private void runLimited(Task task) throws Exception {
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

    private void finish(Job<K> job, Outcome outcome, Throwable error) {
        budget.release(job.bytes);
        if (job.onDone != null) {
            try {
                job.onDone.completed(job.task, outcome, error);
            } catch (Throwable listenerError) {
                LOG.error("completion callback failed for key {}", job.key, listenerError);
            }
        } else if (error == null) {
            job.future.complete(outcome);
        } else {
            job.future.completeExceptionally(error);
        }
    }

    /**
     * See {@link KeyOrderedExecutor#inProgress()}. Each key's head is read through its queue's volatile
     * {@code head}, which its owner writes after the job's start time; the attempts, the last error and the
     * owner's run length are read without a lock (a snapshot may be a moment behind, never torn).
     */
    List<KeyInProgress<K>> inProgress() {
        long now = ticker.read();
        List<KeyInProgress<K>> list = new ArrayList<>();
        for (KeyQueue<K> queue : queues.values()) {
            Job<K> job = queue.head;
            if (job == null) {
                continue; // its first job not started yet, or waiting for a worker after its turn
            }
            Parked<K> parkedAt = parked.get(job.key);
            KeyInProgress.State state = parkedAt != null && parkedAt.job == job
                    ? KeyInProgress.State.PARKED
                    : job.lastError != null ? KeyInProgress.State.RETRYING : KeyInProgress.State.RUNNING;
            ArrayDeque<Job<K>> run = queue.run;
            int behind = (run == null ? 0 : Math.max(0, run.size() - 1)) + queued(job.key);
            list.add(new KeyInProgress<>(
                    job.key,
                    job.task,
                    state,
                    Duration.ofNanos(Math.max(0, now - job.startedNanos)),
                    job.attempts,
                    job.lastError,
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
            count += entry.run.size() + queued(entry.job.key);
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
                LOG.warn("executor closed with key {} parked: its {} tasks are abandoned", key, entry.run.size());
                abandonAll(key, entry.run);
            }
        }
        return any;
    }

    /** Abandons {@code run} and everything queued behind it for {@code key} (the caller owns the key). */
    private void abandonAll(K key, ArrayDeque<Job<K>> run) {
        for (ArrayDeque<Job<K>> jobs = run; !jobs.isEmpty(); jobs = take(key)) {
            for (Job<K> job = jobs.pollFirst(); job != null; job = jobs.pollFirst()) {
                finish(job, null, abandoned(job, "its key was parked when the executor closed"));
                pending.ended();
            }
        }
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

    /** A parked key: the job that failed every attempt, at the head of its run. */
    private record Parked<K>(Job<K> job, ArrayDeque<Job<K>> run, Throwable error, long sinceNanos) {}
}
