package dev.ordo.exec;

import dev.ordo.Arguments;
import dev.ordo.Ticker;
import dev.ordo.flow.AdaptiveConcurrencyLimit;
import dev.ordo.flow.Budget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

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
 * tasks see each other's effects (each hand-over passes through the lock of the key's queue).
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

    private final Budget budget;
    private final PendingTasks pending = new PendingTasks();
    private final TaskCounts counts = new TaskCounts();
    /** Runs the keys' queues: attempts, retries, the failure policy, parking. */
    private final KeyRunner<K> runner;
    /** The keys parked at a task that failed every attempt: the operator's resume, skip and abandon. */
    private final ParkedKeys<K> parkedKeys;
    /** Takes submissions in: the budget, each task's queue entry, the hand-over to the runner. */
    private final Admission<K> admission;

    private KeyOrderedExecutor(Builder<K> b) {
        this.budget = Budget.of(b.maxInFlight, b.maxInFlightBytes);
        this.runner = new KeyRunner<>(b, budget, pending, counts);
        this.parkedKeys = runner.parked();
        this.admission = new Admission<>(budget, b.submitPolicy, pending, counts, runner);
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
        List<CompletableFuture<Outcome>> futures = new ArrayList<>(1);
        admission.admitAll(key, List.of(task), t -> bytes, null, futures);
        return futures.get(0);
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
        Objects.requireNonNull(tasks, "tasks must not be null");
        Objects.requireNonNull(bytes, "bytes must not be null");
        List<CompletableFuture<Outcome>> futures = new ArrayList<>(tasks.size());
        admission.admitAll(key, tasks, bytes, null, futures);
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
        Objects.requireNonNull(bytes, "bytes must not be null");
        Objects.requireNonNull(onDone, "onDone must not be null");
        admission.admitAll(key, tasks, bytes, onDone, null);
    }

    /**
     * Submits tasks that are their own queue entries ({@link QueuedTask}) for one key at once, as
     * {@link #submitAll(Object, List, ToLongFunction, Completion)} does, each told its end through
     * {@link QueuedTask#ended}: the executor makes nothing per task. Each counts against {@code maxInFlight}
     * and charges no bytes. The list is not kept: a caller may reuse it once this returns.
     *
     * @throws IllegalArgumentException as {@link #submitAll(Object, List, ToLongFunction)}, or if a task was
     *     submitted before (in this list or an earlier one); then none is submitted
     */
    public <T extends QueuedTask> void submitQueued(K key, List<T> tasks) {
        admission.admitAll(key, tasks, null, null, null);
    }

    /**
     * Changes the number of worker threads, as {@link java.util.concurrent.ThreadPoolExecutor#setMaximumPoolSize}
     * does: more start at once; with fewer, running tasks finish and the threads beyond the count end, each
     * after at most one more turn (one woken as a task arrives may take it). Each
     * key keeps running one task at a time in submission order throughout (a key's queue belongs to one worker
     * at a time, whatever the number of workers).
     *
     * @throws IllegalArgumentException if {@code concurrency} is below 1; nothing is changed
     */
    public void setConcurrency(int concurrency) {
        runner.resize(Arguments.atLeast("concurrency", concurrency, 1));
    }

    /** The number of worker threads. */
    public int concurrency() {
        return runner.concurrency();
    }

    /**
     * Tries failing tasks by {@code retry} from now on: a task that fails again is retried (or given to the
     * failure policy) by the new setting, counting the attempts it has made.
     */
    public void setRetry(Retry retry) {
        runner.retry(Objects.requireNonNull(retry, "retry must not be null"));
    }

    /** How failing tasks are tried again now. */
    public Retry retry() {
        return runner.retry();
    }

    /**
     * The keys with a task in progress now (running, being retried or parked), the longest in progress
     * first: a snapshot for operators, in which a key whose head has run for long is a stuck key. Keys whose
     * next task has not started yet are not listed. Costs one pass over the active keys.
     */
    public List<KeyInProgress<K>> inProgress() {
        return runner.inProgress();
    }

    /** The keys parked now ({@link FailurePolicy#park()}), with the task each is stopped at. */
    public List<ParkedKey<K>> parked() {
        return parkedKeys.parked();
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
        return parkedKeys.resume(Objects.requireNonNull(key, "key must not be null"), null);
    }

    /**
     * {@link #resume(Object)} for an operator acting on a snapshot from {@link #parked()}: only if the key
     * is still parked at that same task (not resumed meanwhile and parked again at a later one).
     *
     * @return false if that key is not parked at that task
     */
    public boolean resume(ParkedKey<K> parked) {
        requireOpen();
        return parkedKeys.resume(parked.key(), parked.task());
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
        return parkedKeys.skip(Objects.requireNonNull(key, "key must not be null"), null, reason);
    }

    /**
     * {@link #skip(Object, String)} only if the key is still parked at the snapshot's task (see
     * {@link #resume(ParkedKey)}).
     */
    public boolean skip(ParkedKey<K> parked, String reason) {
        Objects.requireNonNull(reason, "reason must not be null");
        requireOpen();
        return parkedKeys.skip(parked.key(), parked.task(), reason);
    }

    /**
     * Drops the parked task of {@code key} without an outcome: it completes with
     * {@link TaskAbandonedException} and the key goes on. For an owner that no longer answers for the
     * task (a consumer that lost the task's partition: the new owner handles the record again).
     *
     * @return false if {@code key} is not parked
     */
    public boolean abandon(K key) {
        return parkedKeys.abandon(Objects.requireNonNull(key, "key must not be null"), null);
    }

    /**
     * {@link #abandon(Object)} only if the key is still parked at the snapshot's task (see
     * {@link #resume(ParkedKey)}).
     */
    public boolean abandon(ParkedKey<K> parked) {
        return parkedKeys.abandon(parked.key(), parked.task());
    }

    /**
     * How many accepted tasks matching {@code which} cannot run until an operator acts: parked ones and
     * those queued behind them. A consumer handing a partition to another member waits only for the rest.
     */
    public int stuckTasks(Predicate<? super Task> which) {
        return parkedKeys.stuckTasks(which::test);
    }

    private void requireOpen() {
        if (pending.isClosed()) {
            throw new IllegalStateException("executor is closed");
        }
    }

    /** Counters now. */
    public ExecutorStats stats() {
        return new ExecutorStats(
                counts.submitted.sum(),
                counts.succeeded.sum(),
                counts.retries.sum(),
                counts.deadLettered.sum(),
                counts.skipped.sum(),
                counts.parkings.sum(),
                parkedKeys.count(),
                budget.count(),
                budget.bytes(),
                budget.peakCount(),
                runner.activeKeys());
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
        pending.close();
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        pending.awaitRunnableEnded(deadline, parkedKeys::pendingTasks);
        boolean abandonedParked = parkedKeys.abandonAll();
        boolean clean = pending.count() == 0 && !abandonedParked;
        runner.stop();
        return clean;
    }

    /**
     * Configures a {@link KeyOrderedExecutor}. Defaults: concurrency = available processors,
     * 10,000 tasks and unlimited bytes in flight, {@link SubmitPolicy#BLOCK}, {@link Retry#none()},
     * {@link FailurePolicy#park()}: nothing a task does is lost or overtaken unless you say so.
     */
    public static final class Builder<K> {
        // Package-private: the key runner is built from them.
        int concurrency = Runtime.getRuntime().availableProcessors();
        long maxInFlight = 10_000;
        long maxInFlightBytes = Long.MAX_VALUE;
        SubmitPolicy submitPolicy = SubmitPolicy.BLOCK;
        Retry retry = Retry.none();
        FailurePolicy<K> failurePolicy = FailurePolicy.park();
        ParkListener<K> parkListener = new ParkListener<>() {};
        Ticker ticker = Ticker.system();
        String threadName = "ordo-keyed";
        AdaptiveConcurrencyLimit concurrencyLimit;
        boolean virtualThreads;
        /** Null: a pool of {@code concurrency} threads. Tests substitute one that runs keys on threads they drive. */
        ThreadPoolExecutor workerPool;

        private Builder() {}

        /** Worker threads, i.e. the most keys processed at the same time (platform or {@link #virtualThreads()}). */
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

        /**
         * Runs the keys on virtual threads (Java 21 or newer) instead of platform threads: for tasks that
         * mostly wait (I/O, a remote call), where hundreds or thousands of keys run at once and parking and
         * waking that many platform threads costs more than the waiting. {@link #concurrency} still bounds
         * the keys running at once (it is the number of virtual workers), and everything else stays: per-key
         * order, retries, parking, {@link KeyOrderedExecutor#setConcurrency}, close. A task that blocks inside
         * {@code synchronized} holds its carrier thread on Java 21 to 23; from Java 24 on it does not.
         *
         * <pre>{@code
         * KeyOrderedExecutor.<String>builder().concurrency(1_000).virtualThreads().build();
         * }</pre>
         *
         * @throws UnsupportedOperationException on a JVM before Java 21 ({@code virtualThreads() needs Java 21
         *     or newer, running on 17}); nothing falls back to platform threads, which at such a concurrency
         *     would cost a thread stack per key
         */
        public Builder<K> virtualThreads() {
            VirtualThreads.requireAvailable();
            this.virtualThreads = true;
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
