package dev.ordo.bench.e2e;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * What the handlers of a {@link PartitionChangeRun} recorded, per second of the run: how many records
 * were handled in each second (by handling time), and the end-to-end latency of the records sent in
 * each second (by send time); per change of the partition count, the latency of the records of keys it
 * moved sent after it in its second (those the fence may hold back). Each handler thread writes a tally of its own (as {@link HandlerTallies},
 * so the harness's recording does not contend); the tallies are merged once every record is counted.
 * Besides, each key's records must arrive in the order they were sent: one that comes after a later
 * one of its key, or twice, is counted.
 */
final class SecondTallies {

    /**
     * Latencies in microseconds to two significant digits (1%): there is a histogram per handler thread and
     * second, so a small one (22 KB; to three digits in nanoseconds, 230 KB, each copied by every young
     * collection of the run).
     */
    private static final long MAX_LATENCY_MICROS = TimeUnit.SECONDS.toMicros(120);

    private final int seconds;
    private final int changes;
    private final List<Tally> tallies = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Tally> mine = ThreadLocal.withInitial(() -> {
        Tally tally = new Tally();
        tallies.add(tally);
        return tally;
    });
    /** The index of the last record handled of each key (records carry their send index). */
    private final AtomicLongArray lastOfKey;

    private final AtomicLong outOfOrder = new AtomicLong();

    /** Tallies of a run sending for {@code seconds} seconds to {@code keys} keys in turn, through {@code changes}. */
    SecondTallies(int seconds, int keys, int changes) {
        this.seconds = seconds;
        this.changes = changes;
        this.lastOfKey = new AtomicLongArray(keys);
        for (int k = 0; k < keys; k++) {
            lastOfKey.set(k, -1);
        }
    }

    /**
     * One record handled, the {@code index}th sent; its latency counts from {@code stampNanos}; the run began
     * at {@code beginNanos}. With {@code movedAt} > 0 its key moved at that change, and it was sent after it
     * (at {@code sentNanos}) in the change's second. Called by the handler threads.
     */
    void handled(long index, long stampNanos, long beginNanos, int movedAt, long sentNanos) {
        long now = System.nanoTime();
        int key = (int) (index % lastOfKey.length());
        if (lastOfKey.getAndSet(key, index) >= index) {
            outOfOrder.incrementAndGet();
        }
        Tally own = mine.get();
        if (movedAt > 0) {
            own.moved(movedAt, now - sentNanos);
        }
        own.handled(second(now - beginNanos), second(stampNanos - beginNanos), now - stampNanos);
    }

    /** Records handled so far (each tally's count read with acquire). */
    long handled() {
        long handled = 0;
        for (Tally tally : tallies) {
            handled += tally.count.get();
        }
        return handled;
    }

    /** Waits (polling every millisecond) until the handlers handled {@code records}, for at most 2 minutes. */
    void awaitHandled(long records) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        long handled;
        while ((handled = handled()) < records) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the group handled " + handled + " of " + records
                        + " records in the 2 minutes after sending stopped");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** Records handled twice or after a later record of their key. */
    long outOfOrder() {
        return outOfOrder.get();
    }

    /** Records handled in each second of sending (those handled after it are not counted). Once all are counted. */
    long[] handledPerSecond() {
        long[] perSecond = new long[seconds];
        for (Tally tally : tallies) {
            for (int s = 0; s < seconds; s++) {
                perSecond[s] += tally.handled[s];
            }
        }
        return perSecond;
    }

    /** The latencies (microseconds) of the records sent in the given second. Once all are counted. */
    Histogram latencySent(int second) {
        Histogram merged = histogram();
        for (Tally tally : tallies) {
            if (tally.latency[second] != null) {
                merged.add(tally.latency[second]);
            }
        }
        return merged;
    }

    /** The latencies (microseconds, from their send) of the records of keys the {@code change}th change moved sent after it in its second. */
    Histogram movedAt(int change) {
        Histogram merged = histogram();
        for (Tally tally : tallies) {
            if (tally.moved[change] != null) {
                merged.add(tally.moved[change]);
            }
        }
        return merged;
    }

    private static void record(Histogram[] histograms, int slot, long latencyNanos) {
        if (histograms[slot] == null) {
            histograms[slot] = histogram();
        }
        histograms[slot].recordValue(Math.min(MAX_LATENCY_MICROS, Math.max(1, latencyNanos / 1_000)));
    }

    private static Histogram histogram() {
        return new Histogram(1, MAX_LATENCY_MICROS, 2);
    }

    /** The second a time since the run began falls in; the one after the last for any later. */
    private int second(long sinceBeginNanos) {
        return (int) Math.min(seconds, Math.max(0, sinceBeginNanos / 1_000_000_000L));
    }

    /**
     * One handler thread's recordings. Written by its thread only; the count is published with a release
     * store after the rest.
     */
    private final class Tally {
        private final long[] handled = new long[seconds + 1];
        private final Histogram[] latency = new Histogram[seconds + 1];
        private final Histogram[] moved = new Histogram[changes + 1];
        private final AtomicLong count = new AtomicLong();

        void handled(int handledSecond, int sentSecond, long latencyNanos) {
            handled[handledSecond]++;
            record(latency, sentSecond, latencyNanos);
            count.lazySet(count.get() + 1);
        }

        void moved(int change, long latencyNanos) {
            record(moved, change, latencyNanos);
        }
    }
}
