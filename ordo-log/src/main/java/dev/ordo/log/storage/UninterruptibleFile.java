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
 * <p>Thread-safe: the calls share the file pointer, so they take turns (they run under the
 * partition's lock anyway, except the interval flusher's {@link #force}, which does not use it).
 */
final class UninterruptibleFile implements AutoCloseable {

    private final RandomAccessFile file;

    UninterruptibleFile(Path path) throws IOException {
        this.file = new RandomAccessFile(path.toFile(), "rw");
    }

    synchronized long size() throws IOException {
        return file.length();
    }

    /**
     * Reads up to {@code dst.remaining()} bytes at {@code position} into {@code dst}, advancing its
     * position; returns the count, or -1 at the end of the file.
     */
    synchronized int read(ByteBuffer dst, long position) throws IOException {
        file.seek(position);
        int n;
        if (dst.hasArray()) {
            n = file.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
        } else {
            byte[] bytes = new byte[dst.remaining()];
            n = file.read(bytes);
            if (n > 0) {
                dst.put(bytes, 0, n);
                return n;
            }
        }
        if (n > 0) {
            dst.position(dst.position() + n);
        }
        return n;
    }

    /** Writes all of {@code src} at {@code position}, advancing its position to its limit. */
    synchronized void write(ByteBuffer src, long position) throws IOException {
        file.seek(position);
        int n = src.remaining();
        if (src.hasArray()) {
            file.write(src.array(), src.arrayOffset() + src.position(), n);
        } else {
            byte[] bytes = new byte[n];
            src.duplicate().get(bytes);
            file.write(bytes);
        }
        src.position(src.limit());
    }

    synchronized void truncate(long size) throws IOException {
        file.setLength(size);
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
