package dev.ordo.exec;

import static dev.ordo.LincheckEffort.call;

import dev.ordo.LincheckEffort;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@link KeyOrderedExecutor}'s promise under concurrent submitters and workers: per key, tasks run
 * one at a time and in the order their submissions took effect, none lost, none run twice; the
 * counters and the in-flight budget agree once everything ran.
 *
 * <p>The executor's worker pool is replaced by {@link DrivenWorkers}: a key scheduled on it waits
 * until an operation ({@link #work()}) runs it on a Lincheck thread. So the model checker explores
 * the interleavings of submissions with the hand-over of a key's queue between its owner and new
 * submissions (the lock of the key's queue, taking a run, a key going idle and its queue leaving the
 * map), which it could not on the executor's own threads. What stays outside: the real pool's thread hand-off, the yielding of a
 * busy key after a turn, retries and parking (covered by the functional and property tests).
 *
 * <p>The sequential specification ({@link Model}) is a map of per-key lists: {@link #ran} answers,
 * after every submitted task has run, the values of the key's tasks in run order; it must equal the
 * submissions in some order consistent with each thread's own order and with real time.
 */
@Param(name = "key", gen = IntGen.class, conf = "0:1")
@Param(name = "value", gen = IntGen.class, conf = "1:3")
public class KeyOrderedExecutorLincheckTest {

    private final DrivenWorkers workers = new DrivenWorkers();
    private final KeyOrderedExecutor<Integer> executor;

    @SuppressWarnings("unchecked")
    // Synchronized: ran() may be called while another thread's work() appends (it reads a snapshot).
    private final List<Integer>[] ranInOrder =
            new List[] {Collections.synchronizedList(new ArrayList<>()), Collections.synchronizedList(new ArrayList<>())
            };

    private final AtomicBoolean[] running = {new AtomicBoolean(), new AtomicBoolean()};
    private final AtomicBoolean overlapped = new AtomicBoolean();
    private final AtomicInteger submitted = new AtomicInteger();
    private final AtomicInteger finished = new AtomicInteger();

    public KeyOrderedExecutorLincheckTest() {
        KeyOrderedExecutor.Builder<Integer> builder =
                KeyOrderedExecutor.<Integer>builder().maxInFlight(100);
        builder.workerPool = workers;
        executor = builder.build();
    }

    /** The search is bounded by its scenarios (LincheckEffort), not by time; a loaded machine takes minutes. */
    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void perKeyOrderHoldsUnderModelChecking() {
        LincheckEffort.modelChecking()
                .sequentialSpecification(Model.class)
                .addCustomScenario(submitWhileTheOwnerRuns())
                .addCustomScenario(submitsRaceTwoWorkers())
                .check(getClass());
    }

    @Test
    void perKeyOrderHoldsUnderStress() {
        LincheckEffort.stress()
                .sequentialSpecification(Model.class)
                .addCustomScenario(submitWhileTheOwnerRuns())
                .addCustomScenario(submitsRaceTwoWorkers())
                .check(getClass());
    }

    /** A key's second task arrives while a worker runs the first: it must queue behind, not start a second run. */
    private static ExecutionScenario submitWhileTheOwnerRuns() {
        Class<?> test = KeyOrderedExecutorLincheckTest.class;
        return LincheckEffort.scenario(
                test,
                List.of(),
                List.of(
                        List.of(call(test, "submit", 0, 1), call(test, "work")),
                        List.of(call(test, "submit", 0, 2), call(test, "work"))),
                List.of(call(test, "ran", 0)));
    }

    /** One thread submits a key's tasks in order while two workers take turns on the key. */
    private static ExecutionScenario submitsRaceTwoWorkers() {
        Class<?> test = KeyOrderedExecutorLincheckTest.class;
        return LincheckEffort.scenario(
                test,
                List.of(),
                List.of(
                        List.of(call(test, "submit", 0, 1), call(test, "submit", 0, 2), call(test, "work")),
                        List.of(call(test, "work"), call(test, "work"))),
                List.of(call(test, "ran", 0)));
    }

    @Operation
    public void submit(@Param(name = "key") int key, @Param(name = "value") int value) {
        submitted.incrementAndGet();
        executor.submit(key, () -> run(key, value));
    }

    /** A worker's turn: runs one scheduled key's queue, if any, on this thread. */
    @Operation
    public void work() {
        workers.runOne();
    }

    /** Once every task submitted so far has ended (this thread runs what waits), what ran for {@code key}. */
    @Operation
    public List<Integer> ran(@Param(name = "key") int key) {
        drain();
        return overlapped.get() ? List.of(-1) : List.copyOf(ranInOrder[key]);
    }

    @Validate
    public void countersAndBudgetAgreeOnceAllRan() {
        drain();
        ExecutorStats stats = executor.stats();
        int logged = ranInOrder[0].size() + ranInOrder[1].size();
        if (overlapped.get()
                || stats.submitted() != logged
                || stats.succeeded() != logged
                || stats.inFlight() != 0
                || stats.inFlightBytes() != 0
                || stats.activeKeys() != 0) {
            throw new AssertionError("ran " + logged + " tasks, overlapped " + overlapped.get() + ", " + stats);
        }
    }

    private void run(int key, int value) {
        if (running[key].getAndSet(true)) {
            overlapped.set(true);
        }
        ranInOrder[key].add(value);
        running[key].set(false);
        finished.incrementAndGet();
    }

    private void drain() {
        while (finished.get() < submitted.get()) {
            if (!workers.runOne()) {
                Thread.yield(); // another thread owns the key (or has yet to schedule it)
            }
        }
    }

    /**
     * A worker pool without threads: {@link #execute} only queues the key's run; whoever calls
     * {@link #runOne()} runs it.
     */
    static final class DrivenWorkers extends ThreadPoolExecutor {
        private final ConcurrentLinkedQueue<Runnable> scheduled = new ConcurrentLinkedQueue<>();

        DrivenWorkers() {
            super(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>());
        }

        @Override
        public void execute(Runnable keyRun) {
            if (isShutdown()) {
                throw new RejectedExecutionException("workers stopped");
            }
            scheduled.add(keyRun);
        }

        @Override
        public int prestartAllCoreThreads() {
            return 0;
        }

        boolean runOne() {
            Runnable keyRun = scheduled.poll();
            if (keyRun == null) {
                return false;
            }
            keyRun.run();
            return true;
        }
    }

    /** The contract, one caller at a time: a key's tasks run in submission order. */
    public static final class Model {
        @SuppressWarnings("unchecked")
        private final List<Integer>[] submitted = new List[] {new ArrayList<>(), new ArrayList<>()};

        public void submit(int key, int value) {
            submitted[key].add(value);
        }

        public void work() {}

        public List<Integer> ran(int key) {
            return List.copyOf(submitted[key]);
        }
    }
}
