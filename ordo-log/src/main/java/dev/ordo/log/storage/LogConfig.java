package dev.ordo.log.storage;

import dev.ordo.Arguments;
import java.time.Duration;
import java.util.Objects;

/**
 * How a partition log is laid out and flushed.
 *
 * @param indexIntervalBytes write an offset index entry at least every this many bytes
 * @param segmentBytes roll to a new segment once the active one reaches this size; at least a batch
 *        header ({@value RecordBatch#HEADER_SIZE} bytes), at most {@link Integer#MAX_VALUE} (the index
 *        keeps 32-bit positions)
 * @param maxBatchBytes the largest batch accepted (bigger appends are refused): at most {@code
 *        segmentBytes} and {@value #MAX_BATCH_BYTES} bytes (a batch is held whole in memory by its
 *        producer and its readers)
 * @param fsync when appends are forced to disk
 * @param segmentAge roll to a new segment once the active one's first record is this much older than
 *        an appended one (by record timestamps), so time retention can delete whole segments
 * @param retention which sealed segments are deleted
 * @param corruption what opening does about a damaged sealed segment
 */
public record LogConfig(
        int segmentBytes,
        int indexIntervalBytes,
        int maxBatchBytes,
        FsyncPolicy fsync,
        Duration segmentAge,
        Retention retention,
        CorruptionPolicy corruption) {

    /** The largest {@code maxBatchBytes}: 64 MiB. */
    public static final int MAX_BATCH_BYTES = 64 << 20;

    /**
     * How much of a partition is kept: sealed segments are deleted, oldest first, while the partition
     * without the oldest is still at least {@code maxBytes}, and when all their records are older than
     * {@code maxAge}. The active segment is never deleted. {@code -1} / {@code null}: no limit.
     */
    public record Retention(long maxBytes, Duration maxAge) {

        public Retention {
            if (maxBytes < -1 || maxBytes == 0) {
                throw new IllegalArgumentException("retention maxBytes must be > 0 or -1 (unlimited), was " + maxBytes);
            }
            if (maxAge != null) {
                Arguments.positive("retention maxAge", maxAge);
            }
        }

        /** Everything is kept. */
        public static Retention unlimited() {
            return new Retention(-1, null);
        }

        public static Retention bytes(long maxBytes) {
            return new Retention(maxBytes, null);
        }

        public static Retention age(Duration maxAge) {
            return new Retention(-1, Objects.requireNonNull(maxAge, "maxAge must not be null"));
        }
    }

    /** A configuration that keeps everything and rolls by size only. */
    public LogConfig(int segmentBytes, int indexIntervalBytes, int maxBatchBytes, FsyncPolicy fsync) {
        this(
                segmentBytes,
                indexIntervalBytes,
                maxBatchBytes,
                fsync,
                null,
                Retention.unlimited(),
                CorruptionPolicy.STOP);
    }

    /** A configuration that stops on a damaged sealed segment. */
    public LogConfig(
            int segmentBytes,
            int indexIntervalBytes,
            int maxBatchBytes,
            FsyncPolicy fsync,
            Duration segmentAge,
            Retention retention) {
        this(segmentBytes, indexIntervalBytes, maxBatchBytes, fsync, segmentAge, retention, CorruptionPolicy.STOP);
    }

    public LogConfig {
        if (segmentBytes < RecordBatch.HEADER_SIZE) {
            throw new IllegalArgumentException(
                    "segmentBytes must be >= " + RecordBatch.HEADER_SIZE + ", was " + segmentBytes);
        }
        Arguments.atLeast("indexIntervalBytes", indexIntervalBytes, 1);
        int maxBatch = Math.min(segmentBytes, MAX_BATCH_BYTES);
        if (maxBatchBytes < RecordBatch.HEADER_SIZE || maxBatchBytes > maxBatch) {
            throw new IllegalArgumentException("maxBatchBytes must be in [" + RecordBatch.HEADER_SIZE + ", " + maxBatch
                    + "] (at most segmentBytes and " + MAX_BATCH_BYTES + "), was " + maxBatchBytes);
        }
        Objects.requireNonNull(fsync, "fsync must not be null");
        if (segmentAge != null) {
            Arguments.positive("segmentAge", segmentAge);
        }
        Objects.requireNonNull(retention, "retention must not be null");
        Objects.requireNonNull(corruption, "corruption must not be null");
    }

    /**
     * 1 GiB segments, 4 KiB index interval, 1 MiB batches, a force every 100 ms ({@link
     * FsyncPolicy#DEFAULT}).
     */
    public static LogConfig defaults() {
        return new LogConfig(1 << 30, 4096, 1 << 20, FsyncPolicy.DEFAULT);
    }

    public LogConfig withCorruption(CorruptionPolicy corruption) {
        return new LogConfig(segmentBytes, indexIntervalBytes, maxBatchBytes, fsync, segmentAge, retention, corruption);
    }

    public LogConfig withFsync(FsyncPolicy fsync) {
        return new LogConfig(segmentBytes, indexIntervalBytes, maxBatchBytes, fsync, segmentAge, retention, corruption);
    }

    public LogConfig withSegmentBytes(int segmentBytes) {
        return new LogConfig(
                segmentBytes,
                indexIntervalBytes,
                Math.min(maxBatchBytes, segmentBytes),
                fsync,
                segmentAge,
                retention,
                corruption);
    }

    public LogConfig withSegmentAge(Duration segmentAge) {
        return new LogConfig(segmentBytes, indexIntervalBytes, maxBatchBytes, fsync, segmentAge, retention, corruption);
    }

    public LogConfig withRetention(Retention retention) {
        return new LogConfig(segmentBytes, indexIntervalBytes, maxBatchBytes, fsync, segmentAge, retention, corruption);
    }
}
