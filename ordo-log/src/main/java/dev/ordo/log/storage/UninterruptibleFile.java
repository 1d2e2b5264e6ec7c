package dev.ordo.log.storage;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.SyncFailedException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Function;

/**
 * The few file operations a segment and its index need (write, positional read, size, truncate,
 * force). Writes go through a {@link RandomAccessFile}, whose I/O an interrupt does not abort: a
 * {@link FileChannel} is closed for good when a thread is interrupted inside one of its calls, and an
 * application thread interrupted while appending (a cancelled task, an executor shut down with
 * {@code shutdownNow}) would leave its partition unusable until the log is reopened.
 *
 * <p>Reads go through a read-only {@link FileChannel} of their own, positional ({@code pread}): they
 * take no lock, run alongside each other and alongside appends, and do not move the writer's file
 * pointer. A reader interrupted inside a read gets {@link ClosedByInterruptException}, as a channel
 * does; the file stays usable, the next read opens a new channel.
 *
 * <p>Buffers are heap buffers (the log allocates no direct ones). Thread-safe: writes, truncations
 * and size take turns on the file pointer (they run under the partition's lock anyway); reads and
 * {@link #force} need no turn.
 */
final class UninterruptibleFile implements AutoCloseable {

    private final Path path;
    private final RandomAccessFile file;
    /**
     * Where the file pointer is, or -1 when unknown (after a failed call or a truncation). A write at
     * the position the pointer is already at skips the seek: appends follow each other.
     */
    private long pointer = -1;
    /** The channel reads use; opened on the first read, again after an interrupt closed it. */
    private volatile FileChannel reader;

    private volatile boolean closed;

    /**
     * Fault injection for tests (null in production): asked before each {@link #force}, with the file's
     * path; an exception it returns is thrown instead of forcing, as a disk error would be. A failed
     * {@code fsync} cannot be caused on purpose on a healthy disk without root and device-mapper.
     */
    static volatile Function<Path, IOException> forceFault;

    UninterruptibleFile(Path path) throws IOException {
        this.path = path;
        this.file = new RandomAccessFile(path.toFile(), "rw");
    }

    synchronized long size() throws IOException {
        return file.length();
    }

    /**
     * Reads up to {@code dst.remaining()} bytes at {@code position} into {@code dst}, advancing its
     * position; returns the count, or -1 at the end of the file. Takes no lock.
     *
     * @throws ClosedChannelException if the file was closed (also while reading)
     * @throws ClosedByInterruptException if the calling thread was interrupted
     */
    int read(ByteBuffer dst, long position) throws IOException {
        while (true) {
            FileChannel channel = reader();
            try {
                return channel.read(dst, position);
            } catch (ClosedByInterruptException e) {
                throw e;
            } catch (AsynchronousCloseException e) {
                // Closed under this read: by close() (then fail), or by another reader's interrupt (then retry).
                if (closed) {
                    throw e;
                }
            }
        }
    }

    private FileChannel reader() throws IOException {
        FileChannel channel = reader;
        if (channel != null && channel.isOpen()) {
            return channel;
        }
        synchronized (this) {
            if (closed) {
                throw new ClosedChannelException();
            }
            if (reader == null || !reader.isOpen()) {
                reader = FileChannel.open(path, StandardOpenOption.READ);
            }
            return reader;
        }
    }

    /** Writes all of the heap buffer {@code src} at {@code position}, advancing its position to its limit. */
    synchronized void write(ByteBuffer src, long position) throws IOException {
        if (pointer != position) {
            file.seek(position);
        }
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

    /**
     * Forces written bytes to the device ({@code fsync}); not synchronized with the other calls, which
     * it does not disturb.
     *
     * @throws ClosedChannelException if the file was closed (also while forcing: retention may delete
     *         a sealed segment the background forcer is working on), as a channel would throw
     */
    void force() throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        Function<Path, IOException> fault = forceFault;
        IOException injected = fault == null ? null : fault.apply(path);
        if (injected != null) {
            throw injected;
        }
        try {
            file.getFD().sync();
        } catch (SyncFailedException e) {
            if (closed) { // the descriptor was released under the call (EBADF)
                ClosedChannelException closedMeanwhile = new ClosedChannelException();
                closedMeanwhile.initCause(e);
                throw closedMeanwhile;
            }
            throw e;
        }
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        try (file) {
            if (reader != null) {
                reader.close();
            }
        }
    }
}
