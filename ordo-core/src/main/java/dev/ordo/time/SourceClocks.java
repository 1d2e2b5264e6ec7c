package dev.ordo.time;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The sources of an {@link EventTimeReorderer}: each one's newest timestamp, when it last sent and
 * whether it is idle; and the slowest active source, whose newest timestamp (minus the bound) is
 * the watermark.
 *
 * <p>Without idleness every source is active and newest timestamps only grow, so the minimum is
 * kept as it goes: only a source that was the slowest can move it, and only then are the sources
 * scanned. Not thread-safe: the reorderer calls it under its lock.
 */
final class SourceClocks<S> {

    /** A source's newest timestamp and when it last sent. */
    static final class Clock {
        long newest = Long.MIN_VALUE;
        long lastArrival;
        boolean idle;

        private Clock(long now) {
            this.lastArrival = now;
        }
    }

    private final Map<S, Clock> bySource = new HashMap<>();
    private Clock[] clocks = new Clock[4];
    private int count;
    private S lastSource;
    private Clock lastClock;
    /** The smallest newest timestamp over all sources, kept by {@link #advance} (idle ones included). */
    private long slowest = Long.MIN_VALUE;

    /** The clock of {@code source}, created (as not having sent yet, last heard of {@code now}) if new. */
    Clock clockOf(S source, long now) {
        if (lastClock != null && lastSource.equals(source)) {
            return lastClock;
        }
        Clock clock = bySource.get(source);
        if (clock == null) {
            clock = new Clock(now);
            bySource.put(source, clock);
            if (count == clocks.length) {
                clocks = Arrays.copyOf(clocks, count << 1);
            }
            clocks[count++] = clock;
            slowest = Long.MIN_VALUE;
        }
        lastSource = source;
        lastClock = clock;
        return clock;
    }

    /** Records that {@code clock} saw {@code timestamp}, newer than its newest. */
    void advance(Clock clock, long timestamp) {
        long previous = clock.newest;
        clock.newest = timestamp;
        if (previous == slowest) {
            slowest = Long.MAX_VALUE;
            for (int i = 0; i < count; i++) {
                slowest = Math.min(slowest, clocks[i].newest);
            }
        }
    }

    /** The smallest newest timestamp over all sources; only meaningful when sources never go idle. */
    long slowest() {
        return slowest;
    }

    /** Marks the sources silent for at least {@code idleNanos} at {@code now} as idle, the others as active. */
    void markIdle(long now, long idleNanos) {
        for (int i = 0; i < count; i++) {
            Clock clock = clocks[i];
            clock.idle = now - clock.lastArrival >= idleNanos;
        }
    }

    /** The smallest newest timestamp over the active sources, {@code Long.MIN_VALUE} if none is active. */
    long slowestActive() {
        long min = Long.MAX_VALUE;
        boolean anyActive = false;
        for (int i = 0; i < count; i++) {
            Clock clock = clocks[i];
            if (!clock.idle) {
                anyActive = true;
                min = Math.min(min, clock.newest);
            }
        }
        return anyActive ? min : Long.MIN_VALUE;
    }
}
