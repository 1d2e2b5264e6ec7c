package dev.ordo.exec;

import dev.ordo.Arguments;
import dev.ordo.OrdoInterruptedException;
import dev.ordo.Ticker;
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
 *   <li>A failing task is retried with backoff ({@link Retry}) while its key stays blocked; what fails
 *       every attempt goes to the {@link FailurePolicy}: by default the key is <b>parked</b> (the task
 *       stays at its head, later tasks of the key wait, other keys go on) until {@link #resume} or an
 *       explicit {@link #skip}; or it is dead-lettered or skipped, and the key moves on.</li>
 *   <li>{@link #close()} stops accepting work and drains everything accepted that can run; tasks of
 *       keys still parked are abandoned ({@link TaskAbandonedException}).</li>
 * </ul>
 *
 * <pre>{@code
 * try (KeyOrderedExecutor<String> executor = KeyOrderedExecutor.<String>builder()
 *         .concurrency(64).maxInFlight(10_000).retry(Retry.exponential(5))
 *         .onFailure(FailurePolicy.park())               // the default: a failing key stops, others go on
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
        DEAD_LETTERED,
        /** It failed every attempt and was given up on: by {@link FailurePolicy#skip()} or {@link #skip}. */
        SKIPPED
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
         * @param outcome how the task ended, or null if it was abandoned
         * @param error a {@link TaskAbandonedException} if it was abandoned, else null
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
    private final FailurePolicy<K> failurePolicy;
    private final ParkListener<K> parkListener;
    private final Ticker ticker;
    private final AdaptiveConcurrencyLimit concurrencyLimit;
    /** Keys stopped at a task that failed every attempt; whoever removes a key's entry owns the key. */
    private final ConcurrentHashMap<K, Parked<K>> parked = new ConcurrentHashMap<>();

    private final ReentrantLock closeLock = new ReentrantLock();
    private final Condition drained = closeLock.newCondition();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile boolean closed;

    private final LongAdder submitted = new LongAdder();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private final LongAdder parkings = new LongAdder();

    private KeyOrderedExecutor(Builder<K> b) {
        this.budget = Budget.of(b.maxInFlight, b.maxInFlightBytes);
        this.submitPolicy = b.submitPolicy;
        this.retry = b.retry;
        this.failurePolicy = b.failurePolicy;
        this.parkListener = b.parkListener;
        this.ticker = b.ticker;
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
     * @return completes when the task has succeeded, been dead-lettered or been skipped; exceptionally
     *         with {@link TaskAbandonedException} if it was abandoned (its key parked at close)
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
     * hand-over itself. {@code onDone} runs on the thread that ended the task (a worker, or the caller
     * of {@link #skip} / {@link #abandon} / {@link #close}); it should be quick and must not throw (what
     * it throws is logged and otherwise ignored).
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
            throw new OrdoInterruptedException("interrupted while waiting for in-flight budget", e);
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
                return; // a retry is scheduled, or the key is parked; either way the key stays blocked
            }
            mine = removeHead(mine, job.key);
        }
    }

    /** Drops the ended head of {@code run}; returns the key's next run (taken from its queue if need be). */
    private ArrayDeque<Job<K>> removeHead(ArrayDeque<Job<K>> run, K key) {
        run.pollFirst();
        if (pending.decrementAndGet() == 0 && closed) {
            signalDrained();
        }
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
            queue.jobs = new ArrayDeque<>();
            return queue;
        });
        return taken[0] != null ? taken[0] : new ArrayDeque<>();
    }

    /**
     * Runs one attempt; returns false if the job has not ended: it will be retried later, or its key is
     * parked (either way with {@code run}, it at its head).
     */
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
                deadLettered.increment();
                finish(job, Outcome.DEAD_LETTERED, null);
                return true;
            }
            case SKIPPED -> {
                skipped.increment();
                finish(job, Outcome.SKIPPED, null);
                return true;
            }
            case PARK -> {
                park(job, run, reason);
                return false;
            }
            default -> throw new AssertionError(decision);
        }
    }

    private void park(Job<K> job, ArrayDeque<Job<K>> run, Throwable error) {
        Parked<K> entry = new Parked<>(job, run, error, ticker.read());
        ParkedKey<K> snapshot = snapshot(entry);
        parkings.increment();
        parked.put(job.key, entry); // from here on an operator may own the key (resume, skip)
        LOG.error(
                "key {} parked: its task failed {} attempts and {} later tasks wait behind it;"
                        + " resume(key) tries it again, skip(key, reason) gives it up",
                job.key,
                job.attempts,
                snapshot.waitingBehind(),
                error);
        try {
            parkListener.onParked(snapshot);
        } catch (RuntimeException listenerError) {
            LOG.error("park listener failed for key {}", job.key, listenerError);
        }
        if (closed) {
            signalDrained(); // a closing executor waits only for keys that can still run
        }
    }

    /** The keys parked now ({@link FailurePolicy#park()}), with the task each is stopped at. */
    public List<ParkedKey<K>> parked() {
        List<ParkedKey<K>> list = new ArrayList<>(parked.size());
        for (Parked<K> entry : parked.values()) {
            list.add(snapshot(entry));
        }
        return list;
    }

    /**
     * Tries the parked task of {@code key} again (with a fresh set of attempts); the key's later tasks
     * follow it once it succeeds.
     *
     * @return false if {@code key} is not parked
     * @throws IllegalStateException after {@link #close()}
     */
    public boolean resume(K key) {
        requireOpen();
        Parked<K> entry = parked.remove(Objects.requireNonNull(key, "key must not be null"));
        if (entry == null) {
            return false;
        }
        entry.job.attempts = 0;
        LOG.info("key {} resumed: its parked task runs again", key);
        parkListener.onResumed(key);
        workers.execute(() -> runKey(entry.run));
        return true;
    }

    /**
     * Gives up on the parked task of {@code key}, an explicit decision recorded with {@code reason}
     * (WARN log, the {@code skipped} count, the listener): the task ends {@link Outcome#SKIPPED} and the
     * key goes on with its next task.
     *
     * @return false if {@code key} is not parked
     * @throws IllegalStateException after {@link #close()}
     */
    public boolean skip(K key, String reason) {
        Objects.requireNonNull(reason, "reason must not be null");
        requireOpen();
        Parked<K> entry = parked.remove(Objects.requireNonNull(key, "key must not be null"));
        if (entry == null) {
            return false;
        }
        LOG.warn("key {}: its parked task is skipped after {} attempts: {}", key, entry.job.attempts, reason);
        skipped.increment();
        finish(entry.job, Outcome.SKIPPED, null);
        parkListener.onSkipped(key, entry.job.task, reason);
        moveOn(entry);
        return true;
    }

    /**
     * Drops the parked task of {@code key} without an outcome: it completes with
     * {@link TaskAbandonedException} and the key goes on. For an owner that no longer answers for the
     * task (a consumer that lost the task's partition: the new owner handles the record again).
     *
     * @return false if {@code key} is not parked
     */
    public boolean abandon(K key) {
        Parked<K> entry = parked.remove(Objects.requireNonNull(key, "key must not be null"));
        if (entry == null) {
            return false;
        }
        finish(entry.job, null, abandoned(entry.job, "its owner gave it up"));
        moveOn(entry);
        return true;
    }

    /** After a parked head ended by decision: the key's next task runs. */
    private void moveOn(Parked<K> entry) {
        ArrayDeque<Job<K>> run = entry.run;
        K key = entry.job.key;
        run.pollFirst();
        if (pending.decrementAndGet() == 0 && closed) {
            signalDrained();
        }
        try {
            workers.execute(() -> runKey(run.isEmpty() ? take(key) : run));
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
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

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("executor is closed");
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
                skipped.sum(),
                parkings.sum(),
                parked.size(),
                budget.count(),
                budget.bytes(),
                budget.peakCount(),
                queues.size());
    }

    /**
     * Stops accepting tasks, waits for every accepted task that can run to finish, abandons the tasks
     * of keys still parked ({@link TaskAbandonedException}), and stops the threads. Idempotent.
     */
    @Override
    public void close() {
        close(Duration.ofNanos(Long.MAX_VALUE));
    }

    /**
     * Stops accepting tasks and waits up to {@code timeout} for accepted ones to finish; a parked key's
     * tasks cannot, so they are abandoned ({@link TaskAbandonedException}) without waiting for them.
     *
     * @return true if every accepted task ended (succeeded, dead-lettered, skipped); false if some were
     *         abandoned: parked, or still unfinished when the timeout passed (threads are then stopped,
     *         and those tasks' futures never complete)
     */
    public boolean close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        closed = true;
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        closeLock.lock();
        try {
            // Re-checked now and then: the parked count moves without a signal when tasks queue behind a key.
            while (pending.get() > parkedPending()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                drained.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeLock.unlock();
        }
        boolean abandonedParked = !parked.isEmpty();
        for (K key : List.copyOf(parked.keySet())) {
            Parked<K> entry = parked.remove(key);
            if (entry != null) {
                LOG.warn("executor closed with key {} parked: its {} tasks are abandoned", key, entry.run.size());
                abandonAll(key, entry.run);
            }
        }
        boolean clean = pending.get() == 0 && !abandonedParked;
        retryTimer.shutdownNow();
        if (pending.get() == 0) {
            workers.shutdown();
        } else {
            workers.shutdownNow();
        }
        return clean;
    }

    /** Tasks held by parked keys: those a close does not wait for. */
    private int parkedPending() {
        int count = 0;
        for (Parked<K> entry : parked.values()) {
            count += entry.run.size() + queued(entry.job.key);
        }
        return count;
    }

    /** Abandons {@code run} and everything queued behind it for {@code key} (the caller owns the key). */
    private void abandonAll(K key, ArrayDeque<Job<K>> run) {
        for (ArrayDeque<Job<K>> jobs = run; !jobs.isEmpty(); jobs = take(key)) {
            for (Job<K> job = jobs.pollFirst(); job != null; job = jobs.pollFirst()) {
                finish(job, null, abandoned(job, "its key was parked when the executor closed"));
                if (pending.decrementAndGet() == 0) {
                    signalDrained();
                }
            }
        }
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

    /** A parked key: the job that failed every attempt, at the head of its run. */
    private record Parked<K>(Job<K> job, ArrayDeque<Job<K>> run, Throwable error, long sinceNanos) {}

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
     * {@link FailurePolicy#park()}: nothing a task does is lost or overtaken unless you say so.
     */
    public static final class Builder<K> {
        private int concurrency = Runtime.getRuntime().availableProcessors();
        private long maxInFlight = 10_000;
        private long maxInFlightBytes = Long.MAX_VALUE;
        private SubmitPolicy submitPolicy = SubmitPolicy.BLOCK;
        private Retry retry = Retry.none();
        private FailurePolicy<K> failurePolicy = FailurePolicy.park();
        private ParkListener<K> parkListener = new ParkListener<>() {};
        private Ticker ticker = Ticker.system();
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

        /** What happens to a task that failed every attempt (default {@link FailurePolicy#park()}). */
        public Builder<K> onFailure(FailurePolicy<K> policy) {
            this.failurePolicy = Objects.requireNonNull(policy, "policy must not be null");
            return this;
        }

        /** Short for {@code onFailure(FailurePolicy.deadLetter(handler))}. */
        public Builder<K> deadLetter(DeadLetterHandler<K> handler) {
            return onFailure(FailurePolicy.deadLetter(handler));
        }

        /** Told when a key is parked, resumed or skipped. */
        public Builder<K> parkListener(ParkListener<K> listener) {
            this.parkListener = Objects.requireNonNull(listener, "listener must not be null");
            return this;
        }

        /** The clock for how long keys have been parked (default {@link Ticker#system()}). */
        public Builder<K> ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker must not be null");
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
