package dev.ordo.exec;

import dev.ordo.Arguments;
import dev.ordo.flow.AdaptiveConcurrencyLimit;
import dev.ordo.flow.Budget;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks in parallel across keys and strictly one after another, in submission order, within a
 * key: the execution model of a consumer that needs 100x parallelism for slow I/O without
 * breaking per-key order.
 *
 * <ul>
 *   <li>Bounded: at most {@code maxInFlight} tasks and {@code maxInFlightBytes} declared bytes
 *       accepted and unfinished; beyond that {@link #submit} blocks or fails fast
 *       ({@link SubmitPolicy}).</li>
 *   <li>A failing task is retried with backoff ({@link Retry}) while its key stays blocked, then
 *       handed to the {@link DeadLetterHandler}; the key then moves on.</li>
 *   <li>{@link #close()} stops accepting work and drains everything accepted.</li>
 * </ul>
 *
 * <pre>{@code
 * try (KeyOrderedExecutor<String> executor = KeyOrderedExecutor.<String>builder()
 *         .concurrency(64).maxInFlight(10_000).retry(Retry.exponential(5))
 *         .deadLetter((key, task, error, attempts) -> dlq.park(key, task, error))
 *         .build()) {
 *     executor.submit("ACC-1", () -> ledger.apply(txn))
 *             .thenRun(() -> tracker.complete(partition, offset));
 * }
 * }</pre>
 *
 * <p>Each key with pending work owns one queue; the first task of an idle key schedules the key on
 * the worker pool and the worker then runs that key's tasks one by one. A worker yields after a
 * batch when other keys wait for a worker, so that one busy key cannot starve the others. A key's
 * tasks see each other's effects (each hand-over passes through the key map's lock).
 *
 * @param <K> the key type (needs {@code equals}/{@code hashCode}); {@code null} keys are refused
 */
public final class KeyOrderedExecutor<K> implements AutoCloseable {

    /** A unit of work for one key. It may throw; the executor then retries it. */
    @FunctionalInterface
    public interface Task {
        void run() throws Exception;
    }

    /** How a task ended. */
    public enum Outcome {
        /** It ran without error, possibly after retries. */
        SUCCEEDED,
        /** It failed every attempt and the dead-letter handler accepted it. */
        DEAD_LETTERED
    }

    /**
     * Told once per task of {@link #submitAll(Object, List, ToLongFunction, Completion)} when it has
     * ended, on the thread that ended it: what a returned future would say, without a future per task.
     *
     * @param <T> the task type
     */
    @FunctionalInterface
    public interface Completion<T> {
        /**
         * @param outcome how the task ended, or null if the dead-letter handler threw
         * @param error what the dead-letter handler threw, or null
         */
        void completed(T task, Outcome outcome, Throwable error);
    }

    private static final Logger LOG = LoggerFactory.getLogger(KeyOrderedExecutor.class);
    private static final int TASKS_PER_TURN = 64;

    private final ConcurrentHashMap<K, KeyQueue<K>> queues = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor workers;
    private final ScheduledThreadPoolExecutor retryTimer;
    private final Budget budget;
    private final SubmitPolicy submitPolicy;
    private final Retry retry;
    private final DeadLetterHandler<K> deadLetterHandler;
    private final AdaptiveConcurrencyLimit concurrencyLimit;

    private final ReentrantLock closeLock = new ReentrantLock();
    private final Condition drained = closeLock.newCondition();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile boolean closed;

    private final LongAdder submitted = new LongAdder();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();

    private KeyOrderedExecutor(Builder<K> b) {
        this.budget = Budget.of(b.maxInFlight, b.maxInFlightBytes);
        this.submitPolicy = b.submitPolicy;
        this.retry = b.retry;
        this.deadLetterHandler = b.deadLetterHandler;
        this.concurrencyLimit = b.concurrencyLimit;
        this.workers = new ThreadPoolExecutor(
                b.concurrency,
                b.concurrency,
                0,
                TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(),
                daemonThreads(b.threadName + "-worker-"));
        // Started now, not with the first tasks: a consumer's first records would otherwise wait
        // for thread creation (up to 10 ms for eight workers on the benchmark VM).
        this.workers.prestartAllCoreThreads();
        this.retryTimer = new ScheduledThreadPoolExecutor(1, daemonThreads(b.threadName + "-retry-"));
        this.retryTimer.setRemoveOnCancelPolicy(true);
    }

    /** Starts configuring an executor. */
    public static <K> Builder<K> builder() {
        return new Builder<>();
    }

    /** Submits a task of zero declared bytes. See {@link #submit(Object, long, Task)}. */
    public CompletableFuture<Outcome> submit(K key, Task task) {
        return submit(key, 0, task);
    }

    /**
     * Submits a task to run after every task submitted earlier for the same key.
     *
     * @param key the ordering key; not null
     * @param bytes the task's size charged against {@code maxInFlightBytes}
     * @param task the work
     * @return completes when the task has succeeded or been dead-lettered; exceptionally if the
     *         dead-letter handler threw
     * @throws dev.ordo.OverloadedException with {@link SubmitPolicy#FAIL_FAST} when the budget is spent
     * @throws IllegalStateException after {@link #close()}
     * @throws IllegalArgumentException if {@code bytes} is negative or above {@code maxInFlightBytes}
     */
    public CompletableFuture<Outcome> submit(K key, long bytes, Task task) {
        Objects.requireNonNull(task, "task must not be null");
        return admitAll(key, List.of(task), t -> bytes, null).get(0).future;
    }

    /**
     * Submits tasks for one key at once, to run in list order after every task submitted earlier for
     * the key: the same as submitting them one by one, with one hand-over to the key's queue instead
     * of one per task. A worker that finds them all queued runs them in one go, where tasks trickling
     * in one at a time can find the key's worker already gone idle and wake a worker each.
     *
     * <p>All or nothing: with {@link SubmitPolicy#FAIL_FAST} either every task is admitted or none
     * (the budget taken for the first ones is given back). Per task, retries, dead-lettering and the
     * returned future behave as with {@link #submit(Object, long, Task)}.
     *
     * @param bytes each task's size charged against {@code maxInFlightBytes}
     * @return the tasks' futures, in list order
     * @throws IllegalArgumentException if there are more tasks than {@code maxInFlight} (they could
     *         never be in flight together) or a size is negative or above {@code maxInFlightBytes}
     */
    public <T extends Task> List<CompletableFuture<Outcome>> submitAll(
            K key, List<T> tasks, ToLongFunction<? super T> bytes) {
        List<Job<K>> jobs = admitAll(key, tasks, bytes, null);
        List<CompletableFuture<Outcome>> futures = new ArrayList<>(jobs.size());
        for (Job<K> job : jobs) {
            futures.add(job.future);
        }
        return futures;
    }

    /**
     * Submits tasks for one key at once, as {@link #submitAll(Object, List, ToLongFunction)} does,
     * and tells {@code onDone} about each as it ends instead of completing a future per task: for a
     * caller handing over many small tasks, the futures and their callbacks would cost more than the
     * hand-over itself. {@code onDone} runs on the worker that ended the task; it should be quick and
     * must not throw (what it throws is logged and otherwise ignored).
     *
     * @throws IllegalArgumentException as {@link #submitAll(Object, List, ToLongFunction)}
     */
    public <T extends Task> void submitAll(
            K key, List<T> tasks, ToLongFunction<? super T> bytes, Completion<? super T> onDone) {
        Objects.requireNonNull(onDone, "onDone must not be null");
        admitAll(key, tasks, bytes, onDone);
    }

    /** Admits every task or none (see {@link #submitAll}) and queues them; returns the queued jobs. */
    @SuppressWarnings("unchecked")
    private <T extends Task> List<Job<K>> admitAll(
            K key, List<T> tasks, ToLongFunction<? super T> bytes, Completion<? super T> onDone) {
        Objects.requireNonNull(key, "key must not be null");
        Objects.requireNonNull(tasks, "tasks must not be null");
        Objects.requireNonNull(bytes, "bytes must not be null");
        if (tasks.size() > budget.maxCount()) {
            throw new IllegalArgumentException(
                    "tasks must be at most maxInFlight (" + budget.maxCount() + ") at once, were " + tasks.size());
        }
        if (closed) {
            throw new IllegalStateException("executor is closed; submit before close()");
        }
        List<Job<K>> jobs = new ArrayList<>(tasks.size());
        try {
            for (T task : tasks) {
                Objects.requireNonNull(task, "task must not be null");
                long size = bytes.applyAsLong(task);
                admit(size);
                jobs.add(new Job<>(key, task, size, (Completion<Task>) onDone));
            }
        } catch (RuntimeException e) {
            if (!jobs.isEmpty()) {
                budget.release(
                        jobs.size(), jobs.stream().mapToLong(job -> job.bytes).sum());
            }
            throw e;
        }
        if (!jobs.isEmpty()) {
            enqueue(key, jobs);
        }
        return jobs;
    }

    /** Queues admitted jobs behind the key's earlier ones; the first job of an idle key schedules it on a worker. */
    private void enqueue(K key, List<Job<K>> jobs) {
        pending.addAndGet(jobs.size());
        submitted.add(jobs.size());
        boolean[] becameActive = {false};
        queues.compute(key, (k, queue) -> {
            // A queue is in the map exactly while its key has unfinished jobs.
            KeyQueue<K> q = queue;
            if (q == null) {
                q = new KeyQueue<>();
                becameActive[0] = true;
            }
            q.jobs.addAll(jobs);
            return q;
        });
        if (becameActive[0]) {
            workers.execute(() -> runKey(take(key)));
        }
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
            throw new IllegalStateException("interrupted while waiting for in-flight budget", e);
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
                ArrayDeque<Job<K>> rest = mine;
                workers.execute(() -> runKey(rest));
                return;
            }
            if (!attempt(job, mine)) {
                return; // a retry is scheduled; the key stays blocked until it runs
            }
            mine.pollFirst();
            if (pending.decrementAndGet() == 0 && closed) {
                signalDrained();
            }
            if (mine.isEmpty()) {
                mine = take(job.key);
            }
        }
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
            queue.jobs = new ArrayDeque<>();
            return queue;
        });
        return taken[0] != null ? taken[0] : new ArrayDeque<>();
    }

    /** Runs one attempt; returns false if the job will be retried later (then with {@code run}, it at its head). */
    private boolean attempt(Job<K> job, ArrayDeque<Job<K>> run) {
        job.attempts++;
        try {
            runLimited(job.task);
            succeeded.increment();
            finish(job, Outcome.SUCCEEDED, null);
            return true;
        } catch (Throwable error) {
            if (job.attempts < retry.maxAttempts()) {
                retries.increment();
                long delay = retry.backoff().delayNanos(job.attempts);
                retryTimer.schedule(() -> workers.execute(() -> runKey(run)), delay, TimeUnit.NANOSECONDS);
                return false;
            }
            deadLetter(job, error);
            return true;
        }
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

    private void deadLetter(Job<K> job, Throwable error) {
        try {
            deadLetterHandler.deadLetter(job.key, job.task, error, job.attempts);
            deadLettered.increment();
            finish(job, Outcome.DEAD_LETTERED, null);
        } catch (Throwable handlerError) {
            handlerError.addSuppressed(error);
            LOG.error("dead-letter handler failed for key {} after {} attempts", job.key, job.attempts, handlerError);
            finish(job, null, handlerError);
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

    /** Counters now. */
    public ExecutorStats stats() {
        return new ExecutorStats(
                submitted.sum(),
                succeeded.sum(),
                retries.sum(),
                deadLettered.sum(),
                budget.count(),
                budget.bytes(),
                budget.peakCount(),
                queues.size());
    }

    /** Stops accepting tasks, waits for every accepted task to finish, and stops the threads. */
    @Override
    public void close() {
        if (!close(Duration.ofNanos(Long.MAX_VALUE))) {
            throw new IllegalStateException("executor did not drain");
        }
    }

    /**
     * Stops accepting tasks and waits up to {@code timeout} for accepted ones to finish.
     *
     * @return true if everything drained; false if the timeout passed (threads are then stopped
     *         and unfinished tasks abandoned, their futures never complete)
     */
    public boolean close(Duration timeout) {
        closed = true;
        long remaining = timeout.toNanos();
        closeLock.lock();
        try {
            while (pending.get() > 0 && remaining > 0) {
                remaining = drained.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeLock.unlock();
        }
        boolean clean = pending.get() == 0;
        retryTimer.shutdownNow();
        if (clean) {
            workers.shutdown();
        } else {
            workers.shutdownNow();
        }
        return clean;
    }

    private void signalDrained() {
        closeLock.lock();
        try {
            drained.signalAll();
        } finally {
            closeLock.unlock();
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

    private static final class Job<K> {
        final K key;
        final Task task;
        final long bytes;
        /** Told when the job ends; or, when null, {@link #future} is completed. */
        final Completion<Task> onDone;

        final CompletableFuture<Outcome> future;
        int attempts;

        Job(K key, Task task, long bytes, Completion<Task> onDone) {
            this.key = key;
            this.task = task;
            this.bytes = bytes;
            this.onDone = onDone;
            this.future = onDone == null ? new CompletableFuture<>() : null;
        }
    }

    /**
     * A key's jobs not yet taken by its owner; in the map exactly while the key has unfinished jobs
     * (queued here or taken). Only touched inside the map's per-key lock.
     */
    private static final class KeyQueue<K> {
        ArrayDeque<Job<K>> jobs = new ArrayDeque<>();
    }

    /**
     * Configures a {@link KeyOrderedExecutor}. Defaults: concurrency = available processors,
     * 10,000 tasks and unlimited bytes in flight, {@link SubmitPolicy#BLOCK}, {@link Retry#none()},
     * a dead-letter handler that logs the error.
     */
    public static final class Builder<K> {
        private int concurrency = Runtime.getRuntime().availableProcessors();
        private long maxInFlight = 10_000;
        private long maxInFlightBytes = Long.MAX_VALUE;
        private SubmitPolicy submitPolicy = SubmitPolicy.BLOCK;
        private Retry retry = Retry.none();
        private DeadLetterHandler<K> deadLetterHandler = (key, task, error, attempts) -> LOG.error(
                "task for key {} failed {} attempts and was dropped (no dead-letter handler set)",
                key,
                attempts,
                error);
        private String threadName = "ordo-keyed";
        private AdaptiveConcurrencyLimit concurrencyLimit;

        private Builder() {}

        /** Worker threads, i.e. the most keys processed at the same time. */
        public Builder<K> concurrency(int concurrency) {
            this.concurrency = Arguments.atLeast("concurrency", concurrency, 1);
            return this;
        }

        public Builder<K> maxInFlight(long maxInFlight) {
            this.maxInFlight = Arguments.atLeast("maxInFlight", maxInFlight, 1);
            return this;
        }

        public Builder<K> maxInFlightBytes(long maxInFlightBytes) {
            this.maxInFlightBytes = Arguments.atLeast("maxInFlightBytes", maxInFlightBytes, 1);
            return this;
        }

        public Builder<K> whenFull(SubmitPolicy submitPolicy) {
            this.submitPolicy = Objects.requireNonNull(submitPolicy, "submitPolicy must not be null");
            return this;
        }

        public Builder<K> retry(Retry retry) {
            this.retry = Objects.requireNonNull(retry, "retry must not be null");
            return this;
        }

        public Builder<K> deadLetter(DeadLetterHandler<K> handler) {
            this.deadLetterHandler = Objects.requireNonNull(handler, "handler must not be null");
            return this;
        }

        /**
         * Runs at most the limit's current number of tasks at once (never more than
         * {@link #concurrency}); the limit follows task latency against its target.
         */
        public Builder<K> concurrencyLimit(AdaptiveConcurrencyLimit limit) {
            this.concurrencyLimit = Objects.requireNonNull(limit, "limit must not be null");
            return this;
        }

        /** Prefix of the worker thread names. */
        public Builder<K> threadName(String threadName) {
            this.threadName = Objects.requireNonNull(threadName, "threadName must not be null");
            return this;
        }

        public KeyOrderedExecutor<K> build() {
            return new KeyOrderedExecutor<>(this);
        }
    }
}
