package dev.ordo.log.engine;

/**
 * Lets the engine change a topic's partition count by its load ({@link TopicSpec#autoScale}): every
 * second it measures the records appended per partition; when the load per partition stays above
 * {@code targetPerPartition} records/s for {@link #GROW_AFTER_SECONDS} seconds, the topic grows to the count
 * that load asks for (at most {@code max}); when it stays below half the target for
 * {@link #SHRINK_AFTER_SECONDS} seconds, it shrinks (at least to {@code min}). After a change it waits
 * {@link #COOLDOWN_SECONDS} seconds. Each change keeps every key's order ({@link EmbeddedLog#alterPartitions}).
 * A single key whose records alone pass the target is reported instead: more partitions cannot help it,
 * as its records stay in one partition to keep their order.
 *
 * @param min the fewest partitions, >= 1
 * @param max the most partitions, >= min
 * @param targetPerPartition the records per second one partition should carry, > 0
 */
public record AutoScale(int min, int max, double targetPerPartition) {

    /** Seconds of load above the target before the topic grows. */
    public static final int GROW_AFTER_SECONDS = 5;
    /** Seconds of load below half the target before the topic shrinks. */
    public static final int SHRINK_AFTER_SECONDS = 30;
    /** Seconds after a change before the next. */
    public static final int COOLDOWN_SECONDS = 30;

    public AutoScale {
        if (min < 1 || max > TopicSpec.MAX_PARTITIONS || min > max) {
            throw new IllegalArgumentException("autoScale needs 1 <= min <= max <= " + TopicSpec.MAX_PARTITIONS
                    + ", was min " + min + ", max " + max);
        }
        if (!(targetPerPartition > 0) || Double.isInfinite(targetPerPartition)) {
            throw new IllegalArgumentException("targetPerPartition must be > 0, was " + targetPerPartition);
        }
    }

    /** The partition count {@code recordsPerSecond} in all asks for, within [min, max]. */
    int countFor(double recordsPerSecond, double target) {
        long wanted = (long) Math.ceil(recordsPerSecond / target);
        return (int) Math.max(min, Math.min(max, wanted));
    }
}
