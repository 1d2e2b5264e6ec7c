package dev.ordo.audit;

import java.io.IOException;
import java.io.RandomAccessFile;

/**
 * Entries collect in a heap buffer of {@link #BUFFER_BYTES} and are written with one system call when
 * it is full, and at every force: about 400 entries a write. Until then they exist only in the process
 * ({@link AuditSync#BUFFERED}). Writes go through a {@link RandomAccessFile}, which an interrupted
 * handler thread does not close, as it would a {@code FileChannel}.
 */
final class BufferedAppender implements Appender {

    static final int BUFFER_BYTES = 1 << 16;

    private final RandomAccessFile file;
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private int buffered;

    /** Appends after {@code end}, where {@code file}'s pointer must be. */
    BufferedAppender(RandomAccessFile file, long end) throws IOException {
        this.file = file;
        file.seek(end);
    }

    @Override
    public void append(byte[] bytes, int length) throws IOException {
        if (length > BUFFER_BYTES - buffered) {
            write();
        }
        if (length > BUFFER_BYTES) {
            file.write(bytes, 0, length);
        } else {
            System.arraycopy(bytes, 0, buffer, buffered, length);
            buffered += length;
        }
    }

    @Override
    public void force() throws IOException {
        write();
        file.getFD().sync();
    }

    @Override
    public void close() throws IOException {
        force();
    }

    private void write() throws IOException {
        if (buffered > 0) {
            file.write(buffer, 0, buffered);
            buffered = 0;
        }
    }
}
