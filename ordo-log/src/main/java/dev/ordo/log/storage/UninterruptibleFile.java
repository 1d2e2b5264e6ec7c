package dev.ordo.log.storage;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The few file operations a segment and its index need (positional read and write, size, truncate,
 * force), on {@link RandomAccessFile}, whose I/O an interrupt does not abort. A
 * {@link java.nio.channels.FileChannel} is closed for good when a thread is interrupted inside one of
 * its calls: an application thread interrupted while appending (a cancelled task, an executor shut
 * down with {@code shutdownNow}) would leave its partition unusable until the log is reopened.
 *
 * <p>Buffers are heap buffers (the log allocates no direct ones). Thread-safe: the calls share the file pointer, so they take turns (they run under the
 * partition's lock anyway, except the interval flusher's {@link #force}, which does not use it).
 */
final class UninterruptibleFile implements AutoCloseable {

    private final RandomAccessFile file;
    /**
     * Where the file pointer is, or -1 when unknown (after a failed call or a truncation). A call at
     * the position the pointer is already at skips the seek, one system call of the two each append
     * cost: appends follow each other, and only a read in between moves the pointer away.
     */
    private long pointer = -1;

    UninterruptibleFile(Path path) throws IOException {
        this.file = new RandomAccessFile(path.toFile(), "rw");
    }

    synchronized long size() throws IOException {
        return file.length();
    }

    /**
     * Reads up to {@code dst.remaining()} bytes at {@code position} into the heap buffer {@code dst},
     * advancing its position; returns the count, or -1 at the end of the file.
     */
    synchronized int read(ByteBuffer dst, long position) throws IOException {
        seekTo(position);
        pointer = -1;
        int n = file.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
        if (n > 0) {
            dst.position(dst.position() + n);
        }
        pointer = position + Math.max(0, n);
        return n;
    }

    /** Writes all of the heap buffer {@code src} at {@code position}, advancing its position to its limit. */
    synchronized void write(ByteBuffer src, long position) throws IOException {
        seekTo(position);
        pointer = -1;
        int length = src.remaining();
        file.write(src.array(), src.arrayOffset() + src.position(), length);
        src.position(src.limit());
        pointer = position + length;
    }

    synchronized void truncate(long size) throws IOException {
        pointer = -1;
        file.setLength(size);
    }

    private void seekTo(long position) throws IOException {
        if (pointer != position) {
            file.seek(position);
            pointer = position;
        }
    }

    /** Forces written bytes to the device ({@code fsync}); not synchronized with the other calls, which it does not disturb. */
    void force() throws IOException {
        file.getFD().sync();
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
