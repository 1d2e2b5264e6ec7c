package dev.ordo.log.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One segment of a partition log: a file of record batches back to back and its sparse offset
 * index, both named by the segment's base offset. Not thread-safe, except {@link #read}; {@link PartitionLog}
 * serializes the rest.
 */
final class LogSegment implements AutoCloseable {

    /** What recovery found: the valid bytes kept, the bytes cut, and why. */
    record Recovery(long validBytes, long truncatedBytes, String reason) {}

    final long baseOffset;
    private final Path logFile;
    private final UninterruptibleFile log;
    private final OffsetIndex index;
    private final int indexIntervalBytes;
    /** The most a read takes from the file with one call (more only for a single larger batch). */
    static final int READ_WINDOW = 256 << 10;
    /** How many windows of a read are the reading thread's own (1 MiB, a consumer's fetch). */
    static final int POOLED_WINDOWS = 4;

    /**
     * Each reading thread's windows, reused by every read: a consumer's fetcher allocated a new window
     * per read, 17% of all allocation end to end at 1 M records/s of 100 B (JFR), which the records
     * decoded from it copy anyway; then the windows after the first of a 1 MiB fetch, 6%. A read's k-th
     * window is the thread's k-th (up to {@value #POOLED_WINDOWS}, 1 MiB in all; a read larger than that,
     * or a batch larger than a window, gets new buffers), so that every batch a read returns stays valid
     * until the thread reads again.
     */
    private static final ThreadLocal<ByteBuffer[]> WINDOWS =
            ThreadLocal.withInitial(() -> new ByteBuffer[POOLED_WINDOWS]);

    private long size;
    /** A write failed and may have left bytes past {@link #size} that are not cut yet. */
    private boolean failedWrite;

    private long nextOffset;
    private long bytesSinceIndexEntry;
    /** Largest record timestamp in the segment, and the first batch's first timestamp (MIN_VALUE while empty). */
    private long maxTimestamp = Long.MIN_VALUE;

    private long firstTimestamp = Long.MIN_VALUE;

    private LogSegment(
            long baseOffset, Path logFile, UninterruptibleFile log, OffsetIndex index, int indexIntervalBytes)
            throws IOException {
        this.baseOffset = baseOffset;
        this.logFile = logFile;
        this.log = log;
        this.index = index;
        this.indexIntervalBytes = indexIntervalBytes;
        this.size = log.size();
        this.nextOffset = baseOffset;
    }

    /** Opens (or creates) the segment's files without looking at their contents. */
    static LogSegment open(Path dir, long baseOffset, int indexIntervalBytes) throws IOException {
        Path logFile = dir.resolve(SegmentFileNames.fileName(baseOffset, ".log"));
        UninterruptibleFile log = new UninterruptibleFile(logFile);
        try {
            OffsetIndex index = OffsetIndex.open(dir.resolve(SegmentFileNames.fileName(baseOffset, ".index")));
            return new LogSegment(baseOffset, logFile, log, index, indexIntervalBytes);
        } catch (IOException | RuntimeException e) {
            try {
                log.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /**
     * Creates a new, empty segment (a roll); if that fails (a full disk), deletes what it created, so
     * that a reopen does not take an empty file for the partition's end.
     */
    static LogSegment create(Path dir, long baseOffset, int indexIntervalBytes) throws IOException {
        try {
            return open(dir, baseOffset, indexIntervalBytes);
        } catch (IOException | RuntimeException e) {
            SegmentFileNames.deleteCreated(dir, baseOffset, e);
            throw e;
        }
    }

    /**
     * Scans every batch from the start and rebuilds the index; with {@code truncate}, cuts a torn
     * or corrupt tail, otherwise only reports where the valid prefix ends.
     */
    Recovery recover(boolean truncate) throws IOException {
        index.clear();
        bytesSinceIndexEntry = 0;
        long fileSize = log.size();
        String reason = null;
        nextOffset = baseOffset;
        maxTimestamp = Long.MIN_VALUE;
        firstTimestamp = Long.MIN_VALUE;
        FileBatches batches = batches(0, fileSize);
        long valid = 0;
        while (true) {
            long position = batches.position();
            RecordBatch.Info info;
            try {
                info = batches.next();
            } catch (CorruptRecordException e) {
                reason = e.getMessage();
                break;
            }
            if (info == null) {
                break;
            }
            if (info.baseOffset() != nextOffset) {
                reason = "batch at position " + position + " has base offset " + info.baseOffset() + ", expected "
                        + nextOffset;
                break;
            }
            maybeIndex(info, (int) position);
            advance(info);
            valid = batches.position();
        }
        index.writePending(); // a sealed segment's rebuilt index is trusted on the next open
        long invalid = fileSize - valid;
        if (invalid > 0 && truncate) {
            log.truncate(valid);
            log.force();
            size = valid;
        }
        return new Recovery(valid, invalid, reason);
    }

    /**
     * Opens a sealed segment without a full scan: trusts the index if it is consistent (scanning
     * only from its last entry to find the next offset), otherwise recovers.
     */
    Recovery load() throws IOException {
        if (index.size() == 0 || !index.consistentWith(size)) {
            return recover(false);
        }
        maxTimestamp = index.lastMaxTimestampBefore();
        try {
            firstTimestamp = batches(0, size).next().firstTimestamp();
            FileBatches batches = batches(index.lastPosition(), size);
            for (RecordBatch.Info info; (info = batches.next()) != null; ) {
                advance(info);
            }
        } catch (CorruptRecordException e) {
            return recover(false);
        }
        return new Recovery(size, 0, null);
    }

    /** The batches of the log file in {@code [start, limit)}. */
    private FileBatches batches(long start, long limit) {
        return new FileBatches(log::read, start, limit);
    }

    /**
     * Appends a batch at the end. When the write fails (a full disk writes what fits, then refuses the
     * rest), the segment's end stays where it was and the bytes written past it are cut, here or, if
     * cutting fails too, before the next write and at the seal: no reader, seal or reopen may find
     * half a batch after the last one.
     */
    void append(ByteBuffer batch, RecordBatch.Info info) throws IOException {
        cutFailedWrite();
        int position = (int) size;
        try {
            log.write(batch, size + batch.position());
        } catch (IOException e) {
            failedWrite = true;
            try {
                cutFailedWrite();
            } catch (IOException cut) {
                e.addSuppressed(cut);
            }
            throw e;
        }
        maybeIndex(info, position);
        size += info.sizeInBytes();
        advance(info);
    }

    private void advance(RecordBatch.Info info) {
        nextOffset = info.lastOffset() + 1;
        maxTimestamp = Math.max(maxTimestamp, info.maxTimestamp());
        if (firstTimestamp == Long.MIN_VALUE) {
            firstTimestamp = info.firstTimestamp();
        }
    }

    /**
     * The offset of the first record with a timestamp at or after {@code timestamp}, or -1 if every
     * record of the segment is older.
     */
    long offsetForTime(long timestamp) throws IOException {
        if (maxTimestamp < timestamp) {
            return -1;
        }
        FileBatches batches = batches(index.lookupTime(timestamp), size);
        for (RecordBatch.Info info; (info = batches.next()) != null; ) {
            if (info.maxTimestamp() >= timestamp) {
                List<Record> records = new ArrayList<>(info.recordCount());
                RecordBatch.readRecords(batches.batch(), Long.MIN_VALUE, Long.MAX_VALUE, Record::new, records);
                for (Record r : records) {
                    if (r.timestamp() >= timestamp) {
                        return r.offset();
                    }
                }
            }
        }
        return -1;
    }

    /** The largest record timestamp, {@link Long#MIN_VALUE} while empty. */
    long maxTimestamp() {
        return maxTimestamp;
    }

    /** The first batch's first timestamp, {@link Long#MIN_VALUE} while empty. */
    long firstTimestamp() {
        return firstTimestamp;
    }

    /** Closes and deletes the segment's files (retention). */
    void delete() throws IOException {
        close();
        Files.deleteIfExists(logFile);
        Files.deleteIfExists(index.file());
    }

    /**
     * Closes the segment and renames its files with {@link SegmentFileNames#DELETED_SUFFIX}; returns the
     * renamed files, to be deleted later. A log opened meanwhile deletes such files and never reads them.
     */
    List<Path> markDeleted() throws IOException {
        close();
        // The index first: a stop in between leaves a whole segment without its index, which the next
        // open rebuilds (and retention removes again), never an index without its segment.
        return SegmentFileNames.markDeleted(List.of(index.file(), logFile));
    }

    /**
     * Where a read from {@code fromOffset} starts (the index changes with appends: call under the
     * partition's lock).
     */
    long readStart(long fromOffset) {
        return index.lookup((int) Math.max(0, fromOffset - baseOffset));
    }

    /**
     * The offset of the batch where a read from {@code fromOffset} starts (under the partition's
     * lock, as {@link #readStart}).
     */
    long readStartOffset(long fromOffset) {
        return baseOffset + index.lookupOffset((int) Math.max(0, fromOffset - baseOffset));
    }

    /**
     * The batches (CRC checked, not decoded) holding records from {@code fromOffset} on, stopping once
     * {@code maxBytes} of batches were read (at least one batch); the first may begin before
     * {@code fromOffset}. Batches are sliced from a window of up to {@value #READ_WINDOW} bytes (or
     * {@code maxBytes}, or one batch when that is larger) read with one call; a batch that runs past
     * the window's end starts the next window, which takes over the bytes already read instead of
     * reading them again. One system call per window, none per batch: reading batches one by one
     * cost two calls each (the length, then the batch), 3.7 us a record for batches of one record.
     *
     * <p>Reads the bytes in {@code [start, limit)} only, with positional reads and no other state of
     * the segment: safe to call without the partition's lock, while appends go on, with {@code start}
     * from {@link #readStart} and {@code limit} the {@link #size} taken under the lock.
     *
     * <p>The batches are valid until the calling thread's next read of any segment: the windows are
     * the thread's, reused (decode or copy them before reading again).
     *
     * <p>A damaged batch ends the read: the batches before it are returned; if there are none, {@link
     * DamagedBatch} says where it is.
     *
     * @throws java.nio.channels.ClosedChannelException if the segment was closed (or deleted) meanwhile
     */
    List<ByteBuffer> read(long fromOffset, int maxBytes, long start, long limit) throws IOException {
        List<ByteBuffer> out = new ArrayList<>();
        long position = start;
        long read = 0;
        ByteBuffer window = ByteBuffer.allocate(0);
        int windows = 0;
        long windowStart = position;
        int windowBytes = Math.min(maxBytes, READ_WINDOW);
        long decodedEnd = -1; // the offset after the last batch checked, -1 before the first
        while (position < limit && (out.isEmpty() || read < maxBytes)) {
            RecordBatch.Info info;
            ByteBuffer batch;
            try {
                if (position + RecordBatch.LENGTH_SIZE > windowStart + window.limit()) {
                    requireHeader(position, limit);
                    window = moveWindow(
                            window,
                            windowStart,
                            position,
                            (int) Math.min(Math.max(windowBytes, RecordBatch.HEADER_SIZE), limit - position),
                            windows++);
                    windowStart = position;
                }
                int batchBytes = RecordBatch.LENGTH_SIZE
                        + checkedLength(window.getInt((int) (position - windowStart)), position, limit);
                if (position + batchBytes > windowStart + window.limit()) {
                    window = moveWindow(
                            window,
                            windowStart,
                            position,
                            (int) Math.min(Math.max(batchBytes, windowBytes), limit - position),
                            windows++);
                    windowStart = position;
                }
                batch = window.slice((int) (position - windowStart), batchBytes);
                info = RecordBatch.readInfo(batch);
            } catch (CorruptRecordException e) {
                if (!out.isEmpty()) {
                    return out; // what came before the damage; a read from the next offset meets it first
                }
                throw new DamagedBatch(position, decodedEnd, e.getMessage());
            }
            position += info.sizeInBytes();
            decodedEnd = info.lastOffset() + 1;
            if (info.lastOffset() < fromOffset) {
                continue;
            }
            read += info.sizeInBytes();
            out.add(batch);
        }
        return out;
    }

    /**
     * A window of {@code bytes} from {@code position}: what {@code window} (starting at {@code windowStart})
     * already holds from there is copied, the rest read.
     */
    private ByteBuffer moveWindow(ByteBuffer window, long windowStart, long position, int bytes, int index)
            throws IOException {
        // The read's index-th window: the thread's own, distinct from the read's earlier ones, whose
        // batches must stay valid.
        ByteBuffer next = bytes <= READ_WINDOW && index < POOLED_WINDOWS
                ? pooledWindow(index).limit(bytes)
                : ByteBuffer.allocate(bytes);
        long held = windowStart + window.limit() - position;
        if (held > 0) {
            next.put(
                    window.array(), window.arrayOffset() + (int) (position - windowStart), (int) Math.min(held, bytes));
        }
        readFully(next, position + next.position());
        return next.flip();
    }

    /** The calling thread's {@code index}-th window, cleared. */
    private static ByteBuffer pooledWindow(int index) {
        ByteBuffer[] windows = WINDOWS.get();
        if (windows[index] == null) {
            windows[index] = ByteBuffer.allocate(READ_WINDOW);
        }
        return windows[index].clear();
    }

    /** Fails unless a whole batch header fits between {@code position} and {@code limit}. */
    private static void requireHeader(long position, long limit) {
        if (limit - position < RecordBatch.HEADER_SIZE) {
            throw new CorruptRecordException(
                    "incomplete batch header at position " + position + ": " + (limit - position) + " bytes left");
        }
    }

    /** The batch length read at {@code position}, if it covers a header and ends before {@code limit}. */
    private static int checkedLength(int batchLength, long position, long limit) {
        if (batchLength < RecordBatch.HEADER_SIZE - RecordBatch.LENGTH_SIZE
                || batchLength > limit - position - RecordBatch.LENGTH_SIZE) {
            throw new CorruptRecordException("batch at position " + position + " claims " + batchLength + " bytes, "
                    + (limit - position - RecordBatch.LENGTH_SIZE) + " left");
        }
        return batchLength;
    }

    /**
     * Calls {@code visitor} with the header of every batch, in order (to rebuild producer state), up
     * to the first damaged batch, which it returns (null if there is none); {@code endOffset} is the
     * offset after the segment's records (the next segment's base offset).
     */
    SegmentDamage forEachBatch(Consumer<RecordBatch.Info> visitor, long endOffset) throws IOException {
        FileBatches batches = batches(0, size);
        long next = baseOffset;
        try {
            for (RecordBatch.Info info; (info = batches.next()) != null; ) {
                visitor.accept(info);
                next = info.lastOffset() + 1;
            }
            return null;
        } catch (CorruptRecordException e) {
            return new SegmentDamage(logFile, batches.position(), e.getMessage(), next, endOffset);
        }
    }

    long size() {
        return size;
    }

    long nextOffset() {
        return nextOffset;
    }

    Path logFile() {
        return logFile;
    }

    /**
     * Forces the log and its index to disk (when the segment is sealed: a sealed segment's index is
     * trusted on open).
     */
    void flush() throws IOException {
        log.force();
        index.flush();
    }

    /**
     * Seals the segment: cuts what a failed write left past its end and writes the index entries kept
     * in memory into the index file (both forced by {@link #flush()}).
     */
    void seal() throws IOException {
        cutFailedWrite();
        index.writePending();
    }

    /** Cuts the bytes a failed write left past the segment's end, if any. */
    private void cutFailedWrite() throws IOException {
        if (failedWrite) {
            log.truncate(size);
            failedWrite = false;
        }
    }

    /**
     * Forces the log only: what the fsync policies need for an active segment, whose index is
     * rebuilt from the log on open anyway (half the forces of {@link #flush()}).
     */
    void flushLog() throws IOException {
        log.force();
    }

    @Override
    public void close() throws IOException {
        try (index;
                log) { // closes both, the index first
            cutFailedWrite(); // or the next open cuts it as a torn tail
        }
    }

    private void maybeIndex(RecordBatch.Info info, int position) throws IOException {
        if (index.size() == 0 || bytesSinceIndexEntry >= indexIntervalBytes) {
            index.append((int) (info.baseOffset() - baseOffset), position, maxTimestamp);
            bytesSinceIndexEntry = 0;
        }
        bytesSinceIndexEntry += info.sizeInBytes();
    }

    private void readFully(ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = log.read(buffer, at);
            if (n < 0) {
                throw new CorruptRecordException("unexpected end of " + logFile + " at " + at);
            }
            at += n;
        }
    }
}
