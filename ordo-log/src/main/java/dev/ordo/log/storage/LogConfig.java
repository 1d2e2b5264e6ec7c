package dev.ordo.log.storage;

import dev.ordo.Arguments;
import java.util.Objects;

/**
 * How a partition log is laid out and flushed.
 *
 * @param segmentBytes roll to a new segment once the active one reaches this size
 * @param indexIntervalBytes write an offset index entry at least every this many bytes
 * @param maxBatchBytes the largest batch accepted (bigger appends are refused)
 * @param fsync when appends are forced to disk
 */
public record LogConfig(int segmentBytes, int indexIntervalBytes, int maxBatchBytes, FsyncPolicy fsync) {

    public LogConfig {
        if (segmentBytes < RecordBatch.HEADER_SIZE) {
            throw new IllegalArgumentException("segmentBytes must be >= " + RecordBatch.HEADER_SIZE + ", was " + segmentBytes);
        }
        Arguments.atLeast("indexIntervalBytes", indexIntervalBytes, 1);
        if (maxBatchBytes < RecordBatch.HEADER_SIZE || maxBatchBytes > segmentBytes) {
            throw new IllegalArgumentException("maxBatchBytes must be in [" + RecordBatch.HEADER_SIZE + ", segmentBytes ("
                    + segmentBytes + ")], was " + maxBatchBytes);
        }
        Objects.requireNonNull(fsync, "fsync must not be null");
    }

    /** 1 GiB segments, 4 KiB index interval, 1 MiB batches, fsync left to the OS. */
    public static LogConfig defaults() {
        return new LogConfig(1 << 30, 4096, 1 << 20, FsyncPolicy.none());
    }

    public LogConfig withFsync(FsyncPolicy fsync) {
        return new LogConfig(segmentBytes, indexIntervalBytes, maxBatchBytes, fsync);
    }

    public LogConfig withSegmentBytes(int segmentBytes) {
        return new LogConfig(segmentBytes, indexIntervalBytes, Math.min(maxBatchBytes, segmentBytes), fsync);
    }
}
