package dev.ordo.bench.probe;

import dev.ordo.exec.KeyOrderedExecutor;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures the most 1 ms parks per second 256 threads reach on this machine, without any hand-over
 * between threads: each thread parks for 1 ms again and again. It is the floor under
 * {@code KeyOrderedExecutorBenchmark}'s blocking workloads (ideal 256,000 tasks/s): no executor running
 * 1 ms tasks at concurrency 256 does better than its threads can park and wake. Then the same tasks
 * through a {@link KeyOrderedExecutor} of 256 workers (1,000 keys, as the benchmark), to set its cost
 * per task beside the bare park's. Platform and virtual threads (Java 21 or newer, looked up) take
 * turns, so both see the same load; each round prints the rate, its share of the ideal, and the
 * process's CPU time per park: what the rate costs, against the 2 cores the machine has, a figure that
 * holds when other processes take a varying share of the cores.
 *
 * <pre>java -cp ordo-bench/target/benchmarks.jar dev.ordo.bench.probe.ParkRateProbe [seconds per round] [rounds]</pre>
 */
public final class ParkRateProbe {

    private static final int THREADS = 256;
    private static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int KEYS = 1_000;
    private static final int TASKS = 25_600;

    private ParkRateProbe() {}

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        ThreadFactory virtual = virtualThreads();
        ThreadFactory platform = task -> {
            Thread thread = new Thread(task);
            thread.setDaemon(true);
            return thread;
        };
        round("warm-up platform", platform, 1);
        if (virtual != null) {
            round("warm-up virtual", virtual, 1);
        }
        for (int r = 0; r < rounds; r++) {
            round("platform", platform, seconds);
            if (virtual != null) {
                round("virtual", virtual, seconds);
            }
            executorRound("ordo platform", false, seconds);
            if (virtual != null) {
                executorRound("ordo virtual", true, seconds);
            }
        }
    }

    private static void executorRound(String name, boolean virtual, double seconds) throws InterruptedException {
        KeyOrderedExecutor.Builder<Integer> builder =
                KeyOrderedExecutor.<Integer>builder().concurrency(THREADS).maxInFlight(TASKS);
        if (virtual) {
            builder.virtualThreads();
        }
        try (KeyOrderedExecutor<Integer> executor = builder.build()) {
            long cpuBefore = processCpuNanos();
            long begin = System.nanoTime();
            long deadline = begin + (long) (seconds * 1e9);
            long tasks = 0;
            do {
                CountDownLatch done = new CountDownLatch(TASKS);
                for (int i = 0; i < TASKS; i++) {
                    executor.submit(i % KEYS, () -> {
                        LockSupport.parkNanos(PARK_NANOS);
                        done.countDown();
                    });
                }
                done.await();
                tasks += TASKS;
            } while (System.nanoTime() - deadline < 0);
            print(name, tasks, System.nanoTime() - begin, processCpuNanos() - cpuBefore);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static void round(String name, ThreadFactory threads, double seconds) throws InterruptedException {
        LongAdder parks = new LongAdder();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        List<Thread> started = new ArrayList<>(THREADS);
        long cpuBefore = processCpuNanos();
        long begin = System.nanoTime();
        for (int t = 0; t < THREADS; t++) {
            Thread thread = threads.newThread(() -> {
                while (System.nanoTime() - deadline < 0) {
                    LockSupport.parkNanos(PARK_NANOS);
                    parks.increment();
                }
            });
            thread.start();
            started.add(thread);
        }
        for (Thread thread : started) {
            thread.join();
        }
        print(name, parks.sum(), System.nanoTime() - begin, processCpuNanos() - cpuBefore);
    }

    private static void print(String name, long parks, long elapsedNanos, long cpuNanos) {
        double rate = parks * 1e9 / elapsedNanos;
        System.out.printf(
                Locale.ROOT,
                "%-16s %9.0f parks/s  %5.1f%% of 256,000  %5.2f us CPU per park  %4.2f cores  load %.1f%n",
                name,
                rate,
                100 * rate / (THREADS * 1e9 / PARK_NANOS),
                cpuNanos / 1e3 / parks,
                (double) cpuNanos / elapsedNanos,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** {@code Thread.ofVirtual().factory()}, looked up (compiled for Java 17); null before Java 21. */
    private static ThreadFactory virtualThreads() throws ReflectiveOperationException {
        if (Runtime.version().feature() < 21) {
            System.out.println("no virtual threads before Java 21: platform threads only");
            return null;
        }
        Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
        return (ThreadFactory)
                Class.forName("java.lang.Thread$Builder").getMethod("factory").invoke(builder);
    }
}
