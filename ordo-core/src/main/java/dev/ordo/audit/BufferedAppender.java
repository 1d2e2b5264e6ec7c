package dev.ordo.audit;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Entries collect in a heap buffer of {@link #BUFFER_BYTES}; a full buffer is handed off and written
 * with one system call (about 400 entries a write) by the thread that filled it, after it released
 * the writer's lock, while the others fill a second buffer: the write, which may block, holds no
 * other handler up. Hand-offs are written in the order they were made: the next one waits for the
 * write before it, which only happens if writing is slower than filling 64 KiB. Until they are
 * written, entries exist only in the process ({@link AuditSync#BUFFERED}), or in the tail besides
 * ({@link TailAppender}). Writes go through a
 * {@link RandomAccessFile}, which an interrupted handler thread does not close, as it would a
 * {@code FileChannel}.
 */
final class BufferedAppender implements Appender {

    static final int BUFFER_BYTES = 1 << 16;

    private final RandomAccessFile file;
    /** Held from a hand-off to the end of its write, and for direct writes and forces: the file's order. */
    private final ReentrantLock writing = new ReentrantLock();

    private byte[] filling = new byte[BUFFER_BYTES];
    private int filled;
    private byte[] handedOff = new byte[BUFFER_BYTES]; // guarded by writing
    private int handedOffBytes;

    /** Appends after {@code end}, where {@code file}'s pointer must be. */
    BufferedAppender(RandomAccessFile file, long end) throws IOException {
        this.file = file;
        file.seek(end);
    }

    @Override
    public boolean append(byte[] bytes, int length) throws IOException {
        boolean handOff = length > BUFFER_BYTES - filled;
        if (handOff) {
            writing.lock(); // the hand-off before is written: its buffer is free
            byte[] full = filling;
            filling = handedOff;
            handedOff = full;
            handedOffBytes = filled;
            filled = 0;
        }
        if (length > BUFFER_BYTES) { // handed off the buffer too (it cannot hold it): written at once, after it
            try {
                writeOut(handedOff, handedOffBytes);
                handedOffBytes = 0;
                writeOut(bytes, length);
            } finally {
                writing.unlock();
            }
            return false;
        }
        System.arraycopy(bytes, 0, filling, filled, length);
        filled += length;
        return handOff;
    }

    @Override
    public void writeHandedOff() throws IOException {
        try {
            writeOut(handedOff, handedOffBytes);
            handedOffBytes = 0;
        } finally {
            writing.unlock();
        }
    }

    /** Writes what was handed off (the caller's own hand-off, or one written already) and what was filled since. */
    @Override
    public void force() throws IOException {
        writing.lock();
        try {
            writeOut(handedOff, handedOffBytes);
            handedOffBytes = 0;
            writeOut(filling, filled);
            filled = 0;
            file.getFD().sync();
        } finally {
            writing.unlock();
        }
    }

    @Override
    public void close() throws IOException {
        force();
    }

    private void writeOut(byte[] bytes, int length) throws IOException {
        if (length > 0) {
            file.write(bytes, 0, length);
        }
    }
}
