package dev.ordo.log.storage;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A partition's retention ({@link LogConfig.Retention}): takes its oldest sealed segments out of the
 * log while the partition without the oldest is still at least {@code maxBytes}, or while the oldest
 * one's records are all older than {@code maxAge}; never the active segment. On request it also takes
 * every sealed segment below an offset ({@link #removeBelow}, Kafka's {@code deleteRecords} restricted to
 * whole segments: a retired partition every consumer group has read). A segment taken out
 * leaves at once (its files renamed {@code *.deleted}) and its blocks are freed later by the {@link
 * BackgroundDeleter}: unlinking a large file takes hundreds of milliseconds, which the append that
 * rolled used to wait for (docs/log-format.md, "Segment roll and retention").
 */
final class RetentionCleaner {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionCleaner.class);

    private final LogConfig.Retention retention;
    private final BackgroundDeleter deleter;

    RetentionCleaner(LogConfig.Retention retention, BackgroundDeleter deleter) {
        this.retention = retention;
        this.deleter = deleter;
    }

    /**
     * Takes the segments retention no longer keeps off the front of {@code segments} (oldest first,
     * under the partition's lock), calling {@code removed} with each as it leaves the list; returns
     * how many went.
     *
     * @param nowMillis the wall-clock time age retention measures against
     */
    int removeExpired(List<LogSegment> segments, long nowMillis, Consumer<LogSegment> removed) throws IOException {
        long total = 0;
        for (LogSegment segment : segments) {
            total += segment.size();
        }
        int count = 0;
        while (segments.size() > 1) {
            LogSegment oldest = segments.get(0);
            boolean overSize = retention.maxBytes() > 0 && total - oldest.size() >= retention.maxBytes();
            boolean expired = retention.maxAge() != null
                    && oldest.maxTimestamp() < nowMillis - retention.maxAge().toMillis();
            if (!overSize && !expired) {
                break;
            }
            takeOut(segments, removed);
            total -= oldest.size();
            count++;
            LOG.info(
                    "retention deleted segment {} ({} bytes, {}); log now starts at offset {}",
                    oldest.logFile(),
                    oldest.size(),
                    overSize ? "over " + retention.maxBytes() + " bytes" : "older than " + retention.maxAge(),
                    segments.get(0).baseOffset);
        }
        return count;
    }

    /**
     * Takes every sealed segment whose records all lie below {@code offset} off the front of {@code
     * segments} (under the partition's lock), oldest first as {@link #removeExpired} does; returns how
     * many went. A stop in the middle leaves the newer ones, which a later call takes.
     */
    int removeBelow(List<LogSegment> segments, long offset, Consumer<LogSegment> removed) throws IOException {
        int count = 0;
        long from = segments.get(0).baseOffset;
        while (segments.size() > 1 && segments.get(1).baseOffset <= offset) {
            takeOut(segments, removed);
            count++;
        }
        if (count > 0) { // the caller says why, at INFO
            LOG.debug(
                    "deleted {} segments of {}, offsets [{}, {}); the log now starts at offset {}",
                    count,
                    segments.get(0).logFile().getParent(),
                    from,
                    segments.get(0).baseOffset,
                    segments.get(0).baseOffset);
        }
        return count;
    }

    /** Takes the oldest segment out of the log at once; its blocks are freed later. */
    private void takeOut(List<LogSegment> segments, Consumer<LogSegment> removed) throws IOException {
        LogSegment oldest = segments.remove(0);
        removed.accept(oldest);
        deleter.deleteLater(oldest.markDeleted());
    }
}
