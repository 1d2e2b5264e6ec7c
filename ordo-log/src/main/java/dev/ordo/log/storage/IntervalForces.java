package dev.ordo.log.storage;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forces of one log under {@link FsyncPolicy#interval}: the {@link LogFlusher}'s timer ticks every
 * interval and a tick starts a force on its forcing threads, unless one runs; a tick during a force
 * marks it due, and the force runs again at once when done (back to back, when forces outlast the
 * interval). So the flusher's queue holds at most one force per log.
 */
final class IntervalForces implements ScheduledForces {

    private static final Logger LOG = LoggerFactory.getLogger(IntervalForces.class);

    /**
     * Intervals from which each partition forces at a phase of its own instead of on the shared grid.
     * Measured on the benchmark VM (1 KiB at 300 k records/s, two pairs each, p99 aligned / own
     * phase): 5 ms 4.3, 4.1 / 9.9, 20.2 ms; 20 ms 5.9, 5.7 / 3.7, 10.1 ms; 100 ms 27.0, 13.7 / 5.1, 6.7 ms.
     */
    static final long OWN_PHASE_FROM_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final PartitionLog log;
    private final LogFlusher flusher;
    private final ScheduledFuture<?> ticks;
    /** Guards {@link #forcing}, {@link #due} and {@link #stopped}. */
    private final Object lock = new Object();
    /** A force of this log runs on the flusher. */
    private boolean forcing;
    /** A tick came while it ran: it forces again when done. */
    private boolean due;

    private boolean stopped;

    IntervalForces(PartitionLog log, long intervalNanos, LogFlusher flusher) {
        this.log = log;
        this.flusher = flusher;
        String name = log.directory().getFileName().toString();
        this.ticks =
                flusher.tickEvery(this::tick, firstForceDelay(System.nanoTime(), intervalNanos, name), intervalNanos);
    }

    /**
     * How long after {@code nowNanos} the first interval force of the partition {@code name} starts.
     * Short intervals: on a grid shared by every partition (multiples of the interval on the
     * monotonic clock), so that forces run together and share journal commits and device flushes
     * (about half as many flushes for 8 partitions every 5 ms, which freeze the benchmark VM). Long
     * intervals ({@link #OWN_PHASE_FROM_NANOS} and more): at a phase of the interval taken from the
     * partition's name, so that their larger forces do not run together: forced together while the
     * files grow, they hold records up for tens of milliseconds ({@code ForceStallProbe}, BENCHMARKS.md,
     * machine effects behind the tail).
     */
    static long firstForceDelay(long nowNanos, long intervalNanos, String name) {
        long phase = 0;
        if (intervalNanos >= OWN_PHASE_FROM_NANOS) {
            // A partition directory is "<topic>-<partition>": partition p of a topic starts at the
            // fraction p x 0.618... (golden ratio) of the interval, shifted per topic, which spreads
            // any number of partitions evenly; random phases from a hash bunched up (5 of 8 within 6%).
            int dash = name.lastIndexOf('-');
            String topic = dash > 0 ? name.substring(0, dash) : name;
            long partition = 0;
            try {
                partition = dash > 0 ? Long.parseLong(name.substring(dash + 1)) : 0;
            } catch (NumberFormatException e) {
                topic = name; // not a partition directory name: the hash alone decides
            }
            double topicShift = (topic.hashCode() & 0xffffL) / 65536.0;
            double fraction = (topicShift + partition * 0.6180339887498949) % 1.0;
            phase = (long) (fraction * intervalNanos);
        }
        long delay = Math.floorMod(phase - nowNanos, intervalNanos);
        return delay == 0 ? intervalNanos : delay;
    }

    /** A tick (timer thread): starts a force unless one runs, which then forces again. */
    private void tick() {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            if (forcing) {
                due = true;
                return;
            }
            forcing = true;
        }
        flusher.force(this::force);
    }

    /** Forces, again at once for every tick that came meanwhile (on the flusher's forcing threads). */
    private void force() {
        while (true) {
            forceQuietly();
            synchronized (lock) {
                if (!due || stopped) {
                    forcing = false;
                    lock.notifyAll();
                    return;
                }
                due = false;
            }
        }
    }

    /** A force: an error is logged and the next interval tries again. */
    private void forceQuietly() {
        try {
            log.flush();
        } catch (LogOfflineException e) {
            // logged when the log went offline; nothing is forced from then on
        } catch (ClosedChannelException e) {
            // closed (or the segment deleted by retention) while forcing: nothing left to force
        } catch (IOException | RuntimeException e) {
            LOG.error("interval flush of {} failed; retrying at the next interval", log.directory(), e);
        }
    }

    @Override
    public void cancel() {
        ticks.cancel(false);
    }

    @Override
    public void stop(long waitNanos) {
        ticks.cancel(false);
        long deadline = System.nanoTime() + waitNanos;
        synchronized (lock) {
            stopped = true;
            try {
                for (long left = waitNanos; forcing && left > 0; left = deadline - System.nanoTime()) {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
