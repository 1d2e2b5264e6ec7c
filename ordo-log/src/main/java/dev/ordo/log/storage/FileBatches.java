package dev.ordo.log.storage;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The record batches of a log file from one position to another, read in order in windows of up to
 * {@value #WINDOW} bytes (one system call per window, not two per batch), each batch checked (length,
 * magic, CRC) before it is handed out. What recovery, the open of a sealed segment, the rebuild of
 * producer state and {@link PartitionCheck} scan with; not the consumer's read path, which keeps its
 * own windows ({@link LogSegment#read}). Not thread-safe.
 *
 * <pre>{@code
 * FileBatches batches = new FileBatches(file::read, 0, size);
 * for (RecordBatch.Info info; (info = batches.next()) != null; ) { ... }
 * }</pre>
 */
final class FileBatches {

    /** Positional reads of the file ({@code FileChannel.read(ByteBuffer, long)}'s contract). */
    interface Source {
        int read(ByteBuffer into, long position) throws IOException;
    }

    static final int WINDOW = 256 << 10;

    private final Source file;
    private final long limit;
    private long position;
    private ByteBuffer window = ByteBuffer.allocate(0);
    private long windowStart;
    private ByteBuffer batch;

    /** The batches in {@code [start, limit)} of {@code file}; {@code start} must be where a batch begins. */
    FileBatches(Source file, long start, long limit) {
        this.file = file;
        this.position = start;
        this.windowStart = start;
        this.limit = limit;
    }

    /**
     * Checks the batch at {@link #position()} and moves past it; null at the limit.
     *
     * @throws CorruptRecordException if the batch there is incomplete or damaged; {@link #position()}
     *     stays at its start
     */
    RecordBatch.Info next() throws IOException {
        if (position >= limit) {
            return null;
        }
        if (limit - position < RecordBatch.HEADER_SIZE) {
            throw new CorruptRecordException(
                    "incomplete batch header at position " + position + ": " + (limit - position) + " bytes left");
        }
        int length = bytes(position, RecordBatch.LENGTH_SIZE).getInt();
        if (length < RecordBatch.HEADER_SIZE - RecordBatch.LENGTH_SIZE
                || length > limit - position - RecordBatch.LENGTH_SIZE) {
            throw new CorruptRecordException("batch at position " + position + " claims " + length + " bytes, "
                    + (limit - position - RecordBatch.LENGTH_SIZE) + " left");
        }
        ByteBuffer bytes = bytes(position, RecordBatch.LENGTH_SIZE + length);
        RecordBatch.Info info = RecordBatch.readInfo(bytes);
        batch = bytes;
        position += info.sizeInBytes();
        return info;
    }

    /** The bytes of the batch {@link #next()} returned last, valid until it is called again. */
    ByteBuffer batch() {
        return batch;
    }

    /** Where the next batch starts (or the damaged one, after {@link #next()} threw). */
    long position() {
        return position;
    }

    /**
     * {@code length} bytes at {@code at} (never before the window: batches are read in order), from the
     * window, which moves on when they are not all in it, keeping what it holds from {@code at} on, and
     * grows for a batch larger than {@value #WINDOW} bytes. {@code length} fits before the limit.
     */
    private ByteBuffer bytes(long at, int length) throws IOException {
        if (at + length > windowStart + window.limit()) {
            int size = (int) Math.min(Math.max(WINDOW, length), limit - at);
            int heldFrom = (int) Math.min(at - windowStart, window.limit());
            if (window.capacity() >= size) {
                window.position(heldFrom).compact(); // what is held from {@code at} on moves to the front
            } else {
                window = ByteBuffer.allocate(size).put(window.position(heldFrom));
            }
            window.limit(size);
            while (window.hasRemaining()) {
                if (file.read(window, at + window.position()) < 0) {
                    throw new CorruptRecordException("unexpected end of file at position " + (at + window.position()));
                }
            }
            window.flip();
            windowStart = at;
        }
        return window.slice((int) (at - windowStart), length);
    }
}
