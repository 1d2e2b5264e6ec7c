package dev.ordo.audit;

import java.io.IOException;

/**
 * How encoded entries reach the end of the audit file: a heap buffer written when full
 * ({@link BufferedAppender}, for {@link AuditSync#BUFFERED} and {@link AuditSync#FORCE}), and a copy
 * into the mapped tail besides ({@link TailAppender}, {@link AuditSync#WRITE}). Confined to the
 * writer's lock.
 */
interface Appender {

    /** Adds {@code length} bytes of {@code bytes} at the end of the file. */
    void append(byte[] bytes, int length) throws IOException;

    /** Everything appended reaches the disk. */
    void force() throws IOException;

    /** Forces, leaves the file ending at its last entry. */
    void close() throws IOException;
}
