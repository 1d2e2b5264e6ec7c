package dev.ordo.log.storage;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/**
 * When appended bytes are forced to the disk, per topic: one class per choice, each doing what it
 * promises (as the Disruptor's wait strategies do).
 *
 * <ul>
 *   <li>{@link #everyBatch()}: before an append returns; an acknowledged record survives power loss.</li>
 *   <li>{@link #interval(Duration)}: a force starts every interval; a crash of the process loses
 *       nothing (the page cache survives), a power loss loses what was appended since the last force
 *       began: about the interval, or the duration of a force when that is longer.</li>
 *   <li>{@link #none()}: left to the operating system.</li>
 * </ul>
 *
 * The default is {@link #DEFAULT}, a force every 100 ms. Under sustained load it beats {@code none} in
 * throughput and in latency (BENCHMARKS.md, embedded log end-to-end latency per fsync policy): left to itself,
 * Linux writes dirty pages back in bursts (every 5 s, what is older than 30 s, or everything above 10%
 * of memory), which hold appends up for tens of milliseconds; forces every 100 ms write the same bytes
 * in small steps. And a power loss then takes at most about 100 ms of acknowledged records.
 *
 * <pre>{@code
 * TopicSpec.partitions(8).fsync(FsyncPolicy.interval(Duration.ofMillis(5)))
 * FsyncPolicy.parse("every-batch")
 * }</pre>
 */
public abstract sealed class FsyncPolicy permits EveryBatchFsync, IntervalFsync, NoFsync {

    /** The policy of a topic that names none: {@code interval(100 ms)}. */
    public static final FsyncPolicy DEFAULT = interval(Duration.ofMillis(100));

    FsyncPolicy() {}

    /** Appends return once forced; see {@link EveryBatchFsync}. */
    public static FsyncPolicy everyBatch() {
        return EveryBatchFsync.INSTANCE;
    }

    /** A force every {@code interval}; see {@link IntervalFsync}. */
    public static FsyncPolicy interval(Duration interval) {
        return new IntervalFsync(interval);
    }

    /** No forces: the operating system writes when it wants. */
    public static FsyncPolicy none() {
        return NoFsync.INSTANCE;
    }

    /**
     * Parses the policy's text form ({@link #toString()}): {@code every-batch}, {@code none} or
     * {@code interval:<N>ms}.
     *
     * @throws IllegalArgumentException naming the value if it is not one of the forms
     */
    public static FsyncPolicy parse(String text) {
        Objects.requireNonNull(text, "fsync must not be null");
        if (text.equals(EveryBatchFsync.TEXT)) {
            return everyBatch();
        }
        if (text.equals(NoFsync.TEXT)) {
            return none();
        }
        if (text.matches("interval:\\d{1,18}ms")) {
            return interval(Duration.ofMillis(Long.parseLong(text.substring(9, text.length() - 2))));
        }
        throw new IllegalArgumentException("fsync must be every-batch, none or interval:<N>ms, was '" + text + "'");
    }

    /**
     * True if an append returns only once its batch is forced; readers then see only forced records,
     * as Kafka's consumers read up to the high watermark ({@link PartitionLog#readableEnd()}).
     */
    public abstract boolean forcesEveryBatch();

    /** What an append does once its batch is written, ending at offset {@code end}: wait for its force, or nothing. */
    abstract void appended(PartitionLog log, long end) throws IOException;

    /** Starts this policy's forces of {@code log} in the background, on {@code flusher}'s threads. */
    abstract ScheduledForces schedule(PartitionLog log, LogFlusher flusher);

    /** The text form {@link #parse} reads and a topic's description stores. */
    @Override
    public abstract String toString();
}
