package dev.ordo.log.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A partition's segments, oldest first, the last one active (Kafka's {@code LogSegments}): which one
 * holds an offset, their size, the first record of a time. Not thread-safe: the log's monitor guards it.
 */
final class LogSegments {

    private final List<LogSegment> segments;

    LogSegments(List<LogSegment> loaded) {
        segments = new ArrayList<>(loaded);
    }

    LogSegment active() {
        return segments.get(segments.size() - 1);
    }

    LogSegment first() {
        return segments.get(0);
    }

    int count() {
        return segments.size();
    }

    /** Starts a new active segment (a roll). */
    void add(LogSegment next) {
        segments.add(next);
    }

    /** The segments as a list retention takes the oldest off. */
    List<LogSegment> list() {
        return segments;
    }

    /** Bytes of all segments. */
    long sizeInBytes() {
        long total = 0;
        for (LogSegment s : segments) {
            total += s.size();
        }
        return total;
    }

    /** The offset of the first record at or after {@code timestamp}, or -1 if every record is older. */
    long offsetForTime(long timestamp) throws IOException {
        for (LogSegment segment : segments) {
            long offset = segment.offsetForTime(timestamp);
            if (offset >= 0) {
                return offset;
            }
        }
        return -1;
    }

    /** What a read from {@code fromOffset} reads: from the last segment whose base offset is at or below it. */
    ReadPlan readPlan(long fromOffset, long endOffset) {
        int i = segments.size() - 1;
        while (i > 0 && segments.get(i).baseOffset > fromOffset) {
            i--;
        }
        return ReadPlan.of(segments, i, fromOffset, endOffset);
    }

    /** Closes every segment; what closing throws is added to {@code failure}, or thrown if there is none. */
    void closeAll(Throwable failure) throws IOException {
        IOException first = null;
        for (LogSegment segment : segments) {
            try {
                segment.close();
            } catch (IOException e) {
                if (failure != null) {
                    failure.addSuppressed(e);
                } else if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
