package dev.ordo.log.storage;

import dev.ordo.Arguments;
import java.time.Duration;

/**
 * A force of each partition starts every interval ({@link IntervalForces}, on the {@link LogFlusher}'s
 * threads; below 50 ms the forces of all partitions start together, at multiples of the interval on
 * the monotonic clock, so that the file system merges them into fewer journal commits and device
 * flushes; from 50 ms each partition forces at a phase of its own, so that large forces do not run
 * together and hold up appends). A crash of the process loses nothing (the page cache survives), a
 * power loss loses what was appended since the last force began: about the interval, or the duration
 * of a force when that is longer (forces took 1-18 ms on the benchmark machine's disk over several
 * days; when they take longer than the interval, the forces run back to back).
 */
final class IntervalFsync extends FsyncPolicy {

    private final Duration interval;

    IntervalFsync(Duration interval) {
        this.interval = Arguments.positive("fsync interval", interval);
    }

    @Override
    public boolean forcesEveryBatch() {
        return false;
    }

    @Override
    void appended(PartitionLog log, long end) {
        // forced within the interval
    }

    @Override
    ScheduledForces schedule(PartitionLog log, LogFlusher flusher) {
        return new IntervalForces(log, interval.toNanos(), flusher);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IntervalFsync other && other.interval.equals(interval);
    }

    @Override
    public int hashCode() {
        return interval.hashCode();
    }

    @Override
    public String toString() {
        return "interval:" + interval.toMillis() + "ms";
    }
}
