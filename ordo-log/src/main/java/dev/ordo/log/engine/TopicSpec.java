package dev.ordo.log.engine;

import dev.ordo.log.storage.CorruptionPolicy;
import dev.ordo.log.storage.FsyncPolicy;
import dev.ordo.log.storage.LogConfig;
import dev.ordo.partition.Placement;
import dev.ordo.partition.TopicLayout;
import java.time.Duration;
import java.util.Objects;

/**
 * How a topic is made: its partition count (1 to {@value #MAX_PARTITIONS}), the log configuration
 * of each partition, and how keys are placed on the partitions ({@link Placement#KAFKA} by default,
 * {@link Placement#JUMP} to move the fewest keys when the count changes, see
 * {@link EmbeddedLog#alterPartitions}).
 *
 * <pre>{@code
 * TopicSpec.partitions(8).fsync(FsyncPolicy.interval(Duration.ofMillis(5)))
 * }</pre>
 */
public record TopicSpec(int partitions, LogConfig log, Placement placement, AutoScale autoScale) {

    /**
     * The most partitions a topic may have. Each open partition holds two files per segment and a
     * share of the interval forcer; tens of thousands of them exhaust a process's file descriptors
     * long before they serve one machine better than a few hundred would.
     */
    public static final int MAX_PARTITIONS = TopicLayout.MAX_PARTITIONS;

    public TopicSpec {
        if (partitions < 1 || partitions > MAX_PARTITIONS) {
            throw new IllegalArgumentException("partitions must be in [1, " + MAX_PARTITIONS + "], was " + partitions);
        }
        Objects.requireNonNull(log, "log must not be null");
        Objects.requireNonNull(placement, "placement must not be null");
        if (autoScale != null && (partitions < autoScale.min() || partitions > autoScale.max())) {
            throw new IllegalArgumentException("partitions must be within autoScale's [" + autoScale.min() + ", "
                    + autoScale.max() + "], was " + partitions);
        }
    }

    /** A topic placing keys as Kafka does, with a fixed partition count. */
    public TopicSpec(int partitions, LogConfig log) {
        this(partitions, log, Placement.KAFKA, null);
    }

    /** How keys are placed on the partitions (stored with the topic; every client follows it). */
    public TopicSpec placement(Placement placement) {
        return new TopicSpec(partitions, log, placement, autoScale);
    }

    /**
     * Lets the engine grow and shrink the topic by its load, between {@code min} and {@code max}
     * partitions, aiming at {@code targetPerPartition} records per second per partition (see
     * {@link AutoScale}); the count given to {@link #partitions(int)} is where it starts.
     */
    public TopicSpec autoScale(int min, int max, double targetPerPartition) {
        return new TopicSpec(partitions, log, placement, new AutoScale(min, max, targetPerPartition));
    }

    /** The same topic with another partition count (what {@link EmbeddedLog#alterPartitions} stores). */
    TopicSpec withPartitions(int partitions) {
        AutoScale bounds = autoScale == null
                ? null
                : new AutoScale(
                        Math.min(autoScale.min(), partitions),
                        Math.max(autoScale.max(), partitions),
                        autoScale.targetPerPartition());
        return new TopicSpec(partitions, log, placement, bounds);
    }

    /** {@code partitions} partitions with the default log configuration. */
    public static TopicSpec partitions(int partitions) {
        return new TopicSpec(partitions, LogConfig.defaults());
    }

    public TopicSpec fsync(FsyncPolicy fsync) {
        return new TopicSpec(partitions, log.withFsync(fsync), placement, autoScale);
    }

    public TopicSpec segmentBytes(int segmentBytes) {
        return new TopicSpec(partitions, log.withSegmentBytes(segmentBytes), placement, autoScale);
    }

    /** Roll segments once their first record is this old (by record timestamps). */
    public TopicSpec segmentAge(Duration segmentAge) {
        return new TopicSpec(partitions, log.withSegmentAge(segmentAge), placement, autoScale);
    }

    /** What opening does about a damaged sealed segment (default {@link CorruptionPolicy#STOP}). */
    public TopicSpec onCorruption(CorruptionPolicy corruption) {
        return new TopicSpec(partitions, log.withCorruption(corruption), placement, autoScale);
    }

    /** Delete old segments by size and/or age. */
    public TopicSpec retention(LogConfig.Retention retention) {
        return new TopicSpec(partitions, log.withRetention(retention), placement, autoScale);
    }

    /** The fsync policy as text: {@code every-batch}, {@code none} or {@code interval:<millis>ms}. */
    String fsyncText() {
        return log.fsync().toString();
    }

    /**
     * Parses {@link #fsyncText()}'s form ({@link FsyncPolicy#parse}).
     *
     * @throws IllegalArgumentException naming the value if it is not one of the forms
     */
    public static FsyncPolicy parseFsync(String text) {
        return FsyncPolicy.parse(text);
    }
}
