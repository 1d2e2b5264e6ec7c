package dev.ordo.audit;

import java.io.IOException;

/**
 * {@link AuditSync#WRITE}: each entry is copied into the mapped {@link AuditTail} first, which puts it
 * in the page cache before the audited handler returns, and collected with the others in a
 * {@link BufferedAppender}, which writes them to the audit file 64 KiB at a time. The tail is a circle
 * larger than what the buffers hold back, so every entry not yet in the audit file is in the tail.
 * An entry too large for that is written to the audit file at once (the buffered appender writes any
 * entry beyond its buffer directly). Confined to the writer's lock.
 */
final class TailAppender implements Appender {

    /** The largest entry the tail takes: the circle less what the buffers may hold back (one filling, one handed off). */
    static final int MAX_TAILED_BYTES = AuditTail.BYTES - 2 * BufferedAppender.BUFFER_BYTES;

    private final BufferedAppender file;
    private final AuditTail tail;
    private long end;

    /** Appends after {@code end} of the audit file, through {@code file}, copying into {@code tail}. */
    TailAppender(BufferedAppender file, AuditTail tail, long end) {
        this.file = file;
        this.tail = tail;
        this.end = end;
    }

    @Override
    public boolean append(byte[] bytes, int length) throws IOException {
        if (length <= MAX_TAILED_BYTES) {
            tail.copy(bytes, length, end);
        }
        end += length;
        return file.append(bytes, length);
    }

    @Override
    public void writeHandedOff() throws IOException {
        file.writeHandedOff();
    }

    @Override
    public void force() throws IOException {
        file.force();
    }

    /** Writes and forces the audit file, then deletes the tail: the file holds every entry. */
    @Override
    public void close() throws IOException {
        file.close();
        tail.close();
    }
}
