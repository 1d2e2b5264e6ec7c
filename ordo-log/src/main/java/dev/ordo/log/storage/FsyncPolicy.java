package dev.ordo.log.storage;

import dev.ordo.Arguments;
import java.time.Duration;

/**
 * When appended bytes are forced to the disk, per topic.
 *
 * <ul>
 *   <li>{@link #everyBatch()}: before an append returns; an acknowledged record survives power loss.</li>
 *   <li>{@link #interval(Duration)}: a force starts every interval (per partition, on a pool of up
 *       to 16 threads shared by every log of the JVM; below 50 ms the forces of all partitions start together, at multiples of the interval on
 *       the monotonic clock, so that the file system merges them into fewer journal commits and device
 *       flushes; from 50 ms each partition forces at a phase of its own, so that large forces do not
 *       run together and hold up appends); a crash of the process loses nothing (the page cache survives), a power loss loses
 *       what was appended since the last force began: about the interval, or the duration of a
 *       force when that is longer (forces took 1-18 ms on the benchmark machine's disk over several
 *       days; when they take longer than the interval, the forces run back to back).</li>
 *   <li>{@link #none()}: left to the operating system.</li>
 * </ul>
 *
 * The default is {@link #DEFAULT}, a force every 100 ms. Under sustained load it beat {@code none}
 * on the benchmark machine in throughput and in latency (BENCHMARKS.md, session 10: p99 at half the
 * sustained peak 3.3 against 13 ms for 100 B records, 3.5 against 9.5 ms for 1 KiB): left to itself,
 * Linux writes dirty pages back in bursts (every 5 s, what is older than 30 s, or everything above 10%
 * of memory), which hold appends up for tens of milliseconds; forces every 100 ms write the same bytes
 * in small steps. And a power loss then takes at most about 100 ms of acknowledged records.
 */
public sealed interface FsyncPolicy {

    /** The policy of a topic that names none: {@code interval(100 ms)}. */
    FsyncPolicy DEFAULT = new Interval(Duration.ofMillis(100));

    static FsyncPolicy everyBatch() {
        return EveryBatch.INSTANCE;
    }

    static FsyncPolicy interval(Duration interval) {
        return new Interval(interval);
    }

    static FsyncPolicy none() {
        return None.INSTANCE;
    }

    /** See {@link FsyncPolicy#everyBatch()}. */
    enum EveryBatch implements FsyncPolicy {
        INSTANCE
    }

    /** See {@link FsyncPolicy#none()}. */
    enum None implements FsyncPolicy {
        INSTANCE
    }

    /** See {@link FsyncPolicy#interval(Duration)}. */
    record Interval(Duration interval) implements FsyncPolicy {
        public Interval {
            Arguments.positive("fsync interval", interval);
        }
    }
}
