package dev.ordo.audit;

import java.io.IOException;

/**
 * How encoded entries reach the end of the audit file: a heap buffer written when full
 * ({@link BufferedAppender}, for {@link AuditSync#BUFFERED} and {@link AuditSync#FORCE}), and a copy
 * into the mapped tail besides ({@link TailAppender}, {@link AuditSync#WRITE}). Called under the
 * writer's lock, but for {@link #writeHandedOff}.
 */
interface Appender {

    /**
     * Adds {@code length} bytes of {@code bytes} at the end of the file. True if that handed a full
     * buffer off: the caller must then call {@link #writeHandedOff} once it released the writer's lock
     * (whatever happens in between), and before that no other hand-off can be made.
     */
    boolean append(byte[] bytes, int length) throws IOException;

    /** Writes the buffer {@link #append} handed off to the file; outside the writer's lock. */
    void writeHandedOff() throws IOException;

    /** Everything appended reaches the disk. */
    void force() throws IOException;

    /** Forces, leaves the file ending at its last entry. */
    void close() throws IOException;
}
