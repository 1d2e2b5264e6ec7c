package dev.ordo.bench.jmh;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import dev.ordo.exec.KeyOrderedExecutor;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Key-ordered execution over 1,000 keys against the executors people would otherwise reach for.
 *
 * <ul>
 *   <li>Trivial tasks (bump a per-key counter): Ordo's {@link KeyOrderedExecutor} (ordered per key,
 *       as many workers as cores) vs a plain {@link ThreadPoolExecutor} with the same threads (no
 *       ordering at all) vs an LMAX Disruptor with one consumer (ordered because it is serial).</li>
 *   <li>Blocking tasks of 1 ms at concurrency 256: Ordo vs a 256-thread {@link ThreadPoolExecutor}
 *       (unordered: the platform's limit for parking 256 threads); the ideal is
 *       256 / 1 ms = 256,000 tasks/s.</li>
 *   <li>The same on virtual threads (Java 21 or newer; on Java 17 these benchmarks fail at setup): Ordo
 *       with {@link KeyOrderedExecutor.Builder#virtualThreads()} vs a virtual thread per task, its
 *       submitter waiting for a permit of a 256-permit semaphore (unordered: the JVM's limit for parking
 *       virtual threads).</li>
 * </ul>
 * Scores are tasks per second from first submit to last completion.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class KeyOrderedExecutorBenchmark {

    static final int KEYS = 1_000;
    static final int TRIVIAL_TASKS = 100_000;
    static final int BLOCKING_TASKS = 25_600;
    static final int BLOCKING_CONCURRENCY = 256;
    static final long BLOCKING_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    static final String[] KEY_NAMES = new String[KEYS];

    static {
        for (int k = 0; k < KEYS; k++) {
            KEY_NAMES[k] = "key-" + k;
        }
    }

    /** Executors with as many threads as cores, for trivial tasks. */
    @State(Scope.Benchmark)
    public static class Trivial {
        final int threads = Runtime.getRuntime().availableProcessors();
        final AtomicLongArray counters = new AtomicLongArray(KEYS);
        KeyOrderedExecutor<String> ordo;
        ExecutorService pool;
        Disruptor<TaskEvent> disruptor;
        RingBuffer<TaskEvent> ring;
        volatile CountDownLatch disruptorDone;

        @Setup(Level.Trial)
        public void start() {
            ordo = KeyOrderedExecutor.<String>builder()
                    .concurrency(threads)
                    .maxInFlight(TRIVIAL_TASKS)
                    .build();
            pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
            disruptor = new Disruptor<>(
                    TaskEvent::new, 1 << 16, Thread::new, ProducerType.SINGLE, new BlockingWaitStrategy());
            disruptor.handleEventsWith((event, sequence, endOfBatch) -> {
                counters.incrementAndGet(event.key);
                disruptorDone.countDown();
            });
            ring = disruptor.start();
        }

        @TearDown(Level.Trial)
        public void stop() {
            ordo.close();
            pool.shutdown();
            disruptor.shutdown();
        }
    }

    /** Mutable event slot of the Disruptor's ring. */
    static final class TaskEvent {
        int key;
    }

    @Benchmark
    @OperationsPerInvocation(TRIVIAL_TASKS)
    public void trivialOrdo(Trivial s) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(TRIVIAL_TASKS);
        for (int i = 0; i < TRIVIAL_TASKS; i++) {
            int key = i % KEYS;
            s.ordo.submit(KEY_NAMES[key], () -> {
                s.counters.incrementAndGet(key);
                done.countDown();
            });
        }
        done.await();
    }

    @Benchmark
    @OperationsPerInvocation(TRIVIAL_TASKS)
    public void trivialThreadPoolUnordered(Trivial s) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(TRIVIAL_TASKS);
        for (int i = 0; i < TRIVIAL_TASKS; i++) {
            int key = i % KEYS;
            s.pool.execute(() -> {
                s.counters.incrementAndGet(key);
                done.countDown();
            });
        }
        done.await();
    }

    @Benchmark
    @OperationsPerInvocation(TRIVIAL_TASKS)
    public void trivialDisruptorSingleConsumer(Trivial s) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(TRIVIAL_TASKS);
        s.disruptorDone = done;
        for (int i = 0; i < TRIVIAL_TASKS; i++) {
            int key = i % KEYS;
            s.ring.publishEvent((event, sequence, k) -> event.key = k, key);
        }
        done.await();
    }

    /** Executors with 256 threads, for 1 ms blocking tasks. */
    @State(Scope.Benchmark)
    public static class Blocking {
        KeyOrderedExecutor<String> ordo;
        ExecutorService pool;

        @Setup(Level.Trial)
        public void start() {
            ordo = KeyOrderedExecutor.<String>builder()
                    .concurrency(BLOCKING_CONCURRENCY)
                    .maxInFlight(BLOCKING_TASKS)
                    .build();
            pool = new ThreadPoolExecutor(
                    BLOCKING_CONCURRENCY, BLOCKING_CONCURRENCY, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        }

        @TearDown(Level.Trial)
        public void stop() {
            ordo.close();
            pool.shutdown();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BLOCKING_TASKS)
    public void blocking1msOrdo(Blocking s) throws InterruptedException {
        blockingThrough(s.ordo);
    }

    /** {@code BLOCKING_TASKS} tasks of 1 ms over the keys, through {@code ordo}, until all ended. */
    private static void blockingThrough(KeyOrderedExecutor<String> ordo) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(BLOCKING_TASKS);
        for (int i = 0; i < BLOCKING_TASKS; i++) {
            ordo.submit(KEY_NAMES[i % KEYS], () -> {
                LockSupport.parkNanos(BLOCKING_NANOS);
                done.countDown();
            });
        }
        done.await();
    }

    @Benchmark
    @OperationsPerInvocation(BLOCKING_TASKS)
    public void blocking1msThreadPoolUnordered(Blocking s) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(BLOCKING_TASKS);
        for (int i = 0; i < BLOCKING_TASKS; i++) {
            s.pool.execute(() -> {
                LockSupport.parkNanos(BLOCKING_NANOS);
                done.countDown();
            });
        }
        done.await();
    }

    /** Executors on virtual threads, 256 tasks at a time, for 1 ms blocking tasks. */
    @State(Scope.Benchmark)
    public static class BlockingVirtual {
        KeyOrderedExecutor<String> ordo;
        ExecutorService perTask;
        final Semaphore permits = new Semaphore(BLOCKING_CONCURRENCY);

        @Setup(Level.Trial)
        public void start() throws ReflectiveOperationException {
            ordo = KeyOrderedExecutor.<String>builder()
                    .concurrency(BLOCKING_CONCURRENCY)
                    .maxInFlight(BLOCKING_TASKS)
                    .virtualThreads()
                    .build();
            // Compiled for Java 17: Executors.newVirtualThreadPerTaskExecutor() is looked up.
            perTask = (ExecutorService)
                    Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        }

        @TearDown(Level.Trial)
        public void stop() {
            ordo.close();
            perTask.shutdown();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BLOCKING_TASKS)
    public void blocking1msOrdoVirtualThreads(BlockingVirtual s) throws InterruptedException {
        blockingThrough(s.ordo);
    }

    @Benchmark
    @OperationsPerInvocation(BLOCKING_TASKS)
    public void blocking1msVirtualThreadPerTaskUnordered(BlockingVirtual s) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(BLOCKING_TASKS);
        for (int i = 0; i < BLOCKING_TASKS; i++) {
            s.permits.acquire();
            s.perTask.execute(() -> {
                LockSupport.parkNanos(BLOCKING_NANOS);
                s.permits.release();
                done.countDown();
            });
        }
        done.await();
    }
}
