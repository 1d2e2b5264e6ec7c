package dev.ordo.log.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * What a read of a partition reads, taken under the log's lock (the index and sizes change with
 * appends) and read outside it, so that an append never waits for a reader's system calls: the
 * segments from the one holding the offset on, where the read starts in the first, and each
 * segment's size at the time.
 *
 * @param segments the segments to read, oldest first
 * @param start the byte position in the first segment where the read starts (later ones from 0)
 * @param startOffset the offset of the batch at {@code start}
 * @param limits each segment's size when the plan was taken: bytes past it are not read
 * @param endOffset the log's end offset when the plan was taken
 */
record ReadPlan(List<LogSegment> segments, long start, long startOffset, long[] limits, long endOffset) {

    /**
     * The plan for a read from {@code fromOffset}, which lies in {@code segments.get(first)} (under
     * the log's lock).
     */
    static ReadPlan of(List<LogSegment> segments, int first, long fromOffset, long endOffset) {
        List<LogSegment> from = List.copyOf(segments.subList(first, segments.size()));
        long[] limits = new long[from.size()];
        for (int i = 0; i < from.size(); i++) {
            limits[i] = from.get(i).size();
        }
        return new ReadPlan(
                from, from.get(0).readStart(fromOffset), from.get(0).readStartOffset(fromOffset), limits, endOffset);
    }

    /**
     * The batches holding records from {@code fromOffset} on, about {@code maxBytes} of them, from
     * the first segment that has any. A damaged batch ends the read: the batches before it are
     * returned, and a read that meets it first throws.
     *
     * @throws CorruptLogException naming the damage, if the read met it before any batch
     * @throws java.nio.channels.ClosedChannelException if a segment was closed (deleted) meanwhile
     */
    List<ByteBuffer> read(long fromOffset, int maxBytes) throws IOException {
        List<ByteBuffer> batches = List.of();
        for (int i = 0; i < segments.size() && batches.isEmpty(); i++) {
            try {
                batches = segments.get(i).read(fromOffset, maxBytes, i == 0 ? start : 0, limits[i]);
            } catch (DamagedBatch damaged) {
                LogSegment segment = segments.get(i);
                long first = damaged.firstOffset >= 0 ? damaged.firstOffset : i == 0 ? startOffset : segment.baseOffset;
                long end = i + 1 < segments.size() ? segments.get(i + 1).baseOffset : endOffset;
                throw CorruptLogException.onRead(
                        new SegmentDamage(segment.logFile(), damaged.position, damaged.getMessage(), first, end));
            }
        }
        return batches;
    }
}
