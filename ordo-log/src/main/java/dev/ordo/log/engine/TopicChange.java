package dev.ordo.log.engine;

import dev.ordo.log.storage.FsyncPolicy;
import dev.ordo.log.storage.LogConfig;
import java.util.Objects;

/**
 * What {@link EmbeddedLog#alterTopic} changes in a running topic: its fsync policy, its retention and
 * its segment size; what it leaves unset stays as it is. Immutable; each setter returns a new change.
 *
 * <pre>{@code
 * log.alterTopic("ledger", TopicChange.none()
 *         .fsync(FsyncPolicy.everyBatch())
 *         .retention(LogConfig.Retention.age(Duration.ofDays(7)))
 *         .segmentBytes(256 << 20));
 * }</pre>
 *
 * @param fsync the new fsync policy, or null to keep it
 * @param retention the new retention, or null to keep it
 * @param segmentBytes the new segment size, or null to keep it
 */
public record TopicChange(FsyncPolicy fsync, LogConfig.Retention retention, Integer segmentBytes) {

    /** A change that changes nothing, to start from. */
    public static TopicChange none() {
        return new TopicChange(null, null, null);
    }

    /** Forces appends as {@code fsync} says from the change on. */
    public TopicChange fsync(FsyncPolicy fsync) {
        return new TopicChange(Objects.requireNonNull(fsync, "fsync must not be null"), retention, segmentBytes);
    }

    /** Keeps what {@code retention} keeps, from the next retention pass on. */
    public TopicChange retention(LogConfig.Retention retention) {
        return new TopicChange(fsync, Objects.requireNonNull(retention, "retention must not be null"), segmentBytes);
    }

    /** Rolls segments at {@code segmentBytes} from the next roll on. */
    public TopicChange segmentBytes(int segmentBytes) {
        return new TopicChange(fsync, retention, segmentBytes);
    }

    /** Whether the change changes nothing. */
    public boolean isEmpty() {
        return fsync == null && retention == null && segmentBytes == null;
    }

    /**
     * The topic's log configuration with this change.
     *
     * @throws IllegalArgumentException if the segment size is out of range or below the topic's largest
     *     batch (producers size their batches by it: it stays as the topic was made)
     */
    LogConfig applyTo(LogConfig config) {
        LogConfig changed = config;
        if (fsync != null) {
            changed = changed.withFsync(fsync);
        }
        if (retention != null) {
            changed = changed.withRetention(retention);
        }
        if (segmentBytes != null) {
            if (segmentBytes < config.maxBatchBytes()) {
                throw new IllegalArgumentException("segmentBytes must be >= the topic's maxBatchBytes "
                        + config.maxBatchBytes() + ", was " + segmentBytes);
            }
            changed = changed.withSegmentBytes(segmentBytes);
        }
        return changed;
    }
}
