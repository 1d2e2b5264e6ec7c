package dev.ordo.log.storage;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that force one engine's partition logs to disk, started and stopped with it (an
 * {@code EmbeddedLog}, or a {@link PartitionLog} opened on its own); every thread is made when first
 * needed, and the forcing threads end after a minute idle.
 *
 * <ul>
 *   <li>{@code ordo-log-seal} forces the segments a roll sealed. The roll used to force them inside
 *       the log's lock, on the appending thread (a producer's sender), which stalled every partition
 *       that thread writes for as long as the disk took to write up to a segment of dirty data
 *       (150-630 ms with 128 MiB segments at 340 MB/s on the benchmark VM).
 *   <li>{@code ordo-log-flush-timer} starts each partition's {@link FsyncPolicy#interval interval}
 *       forces on time and up to 16 {@code ordo-log-flush} threads force, so that partitions still
 *       force together (a force takes 1-18 ms on the benchmark disk). A thread of its own per
 *       partition made hundreds of threads for a few topics once every topic forced by default. The
 *       queue holds at most one force per open partition (a tick during a force only marks it due).
 *   <li>up to 16 {@code ordo-log-sync} threads force the partitions of a producer's round of
 *       every-batch appends alongside its sender thread, which forces itself when all are busy.
 * </ul>
 */
public final class LogFlusher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LogFlusher.class);

    private final ThreadPoolExecutor sealer = pool(1, 1, new LinkedBlockingQueue<>(), "ordo-log-seal");
    private final ScheduledThreadPoolExecutor timer = timer();
    private final ThreadPoolExecutor forces = pool(16, 16, new LinkedBlockingQueue<>(), "ordo-log-flush");
    private final ThreadPoolExecutor syncs = syncs();

    private LogFlusher() {}

    /** A flusher; its threads start with its first task. */
    public static LogFlusher start() {
        return new LogFlusher();
    }

    /** Runs {@code force} of sealed segments on the sealing thread; nothing once closed (closing a log forces them). */
    void forceSealedLater(Runnable force) {
        try {
            sealer.execute(force);
        } catch (RejectedExecutionException closed) {
            // the flusher stopped: the logs were closed, which forced their sealed segments
        }
    }

    /** Calls {@code tick} every {@code periodNanos}, the first time after {@code firstDelayNanos}, until cancelled. */
    ScheduledFuture<?> tickEvery(Runnable tick, long firstDelayNanos, long periodNanos) {
        return timer.scheduleAtFixedRate(tick, firstDelayNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    /** Runs an interval force on the forcing threads. */
    void force(Runnable force) {
        forces.execute(force);
    }

    /**
     * Runs {@code force} on one of the threads that force alongside a producer's sender, or on the
     * calling thread when all 16 are busy; the future completes when it ran.
     */
    public CompletableFuture<Void> forceAlongside(Runnable force) {
        return CompletableFuture.runAsync(force, syncs);
    }

    /** Stops the threads once the forces under way and queued are done (the logs are closed first). */
    @Override
    public void close() {
        ExecutorService[] all = {timer, sealer, forces, syncs};
        for (ExecutorService executor : all) {
            executor.shutdown(); // the timer's periodic ticks are cancelled
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        try {
            for (ExecutorService executor : all) {
                if (!executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    LOG.warn("log flusher threads still forcing after a minute; leaving them to finish");
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadPoolExecutor pool(int core, int max, BlockingQueue<Runnable> queue, String name) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(core, max, 60, TimeUnit.SECONDS, queue, daemon(name));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, daemon("ordo-log-flush-timer"));
        timer.setRemoveOnCancelPolicy(true); // a closed log's ticks go at once
        return timer;
    }

    private static ThreadPoolExecutor syncs() {
        return new ThreadPoolExecutor(
                0,
                16,
                60,
                TimeUnit.SECONDS,
                new SynchronousQueue<>(),
                daemon("ordo-log-sync"),
                (force, pool) -> force.run()); // all busy, or stopped: the caller forces (never dropped)
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
