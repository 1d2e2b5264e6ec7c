package dev.ordo.bench.e2e;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * What an end-to-end run's handlers recorded, each handler thread into a {@link Tally} of its own,
 * merged at the end, so that the harness's own contention does not weigh on what it measures: shared
 * concurrent histograms made the handler threads fight over their min/max fields (JFR at 500 k
 * records/s: the harness's recording was the top frame), and a shared counter of handled records was
 * one more contended atomic per record.
 */
final class HandlerTallies {

    private final List<Tally> tallies = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Tally> mine = ThreadLocal.withInitial(() -> {
        Tally tally = new Tally();
        tallies.add(tally);
        return tally;
    });

    /** The calling handler thread's tally. */
    Tally mine() {
        return mine.get();
    }

    /** Records the handlers have handled so far (each tally's count read with acquire). */
    long handled() {
        long handled = 0;
        for (Tally tally : tallies) {
            handled += tally.count.get();
        }
        return handled;
    }

    /**
     * Waits (polling every 100 us, on the producing thread, which is done) until the handlers handled
     * {@code records}; returns when the last of them was handled.
     */
    long awaitHandled(long records) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            long handled = handled(); // acquire: lastNanos and the histograms written before are seen
            if (handled >= records) {
                long last = 0;
                for (Tally tally : tallies) {
                    last = Math.max(last, tally.lastNanos);
                }
                return last;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "consumer handled " + handled + " of " + records + " records in 2 minutes");
            }
            LockSupport.parkNanos(100_000);
        }
    }

    /**
     * Every handler's latencies merged: all of them, and those from the second second on. Called once
     * every record was counted: the counts, read with acquire, show them all.
     */
    Latencies merged() {
        Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        Histogram steady = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        for (Tally tally : tallies) {
            latency.add(tally.all);
            steady.add(tally.steady);
        }
        return new Latencies(latency, steady);
    }

    /** All the handlers' latencies, and those of the records scheduled after the first second. */
    record Latencies(Histogram all, Histogram steady) {}

    /**
     * One end-to-end handler thread's recordings: its latencies (all, and from the second second on),
     * how many records it handled and when it handled the last. Written by its thread only; the count
     * is published with a release store (no fence, no shared line) after the rest.
     */
    static final class Tally {
        final Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final Histogram steady = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        private final AtomicLong count = new AtomicLong();
        private long lastNanos;

        void handled(long now) {
            lastNanos = now;
            count.lazySet(count.get() + 1);
        }
    }
}
