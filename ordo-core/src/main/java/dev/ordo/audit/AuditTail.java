package dev.ordo.audit;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.SequenceInputStream;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The tail file of an audit file, {@code <file>.tail}: a circle of {@link #BYTES} mapped into memory,
 * where the byte at position {@code p} of the audit file is copied to {@code p mod BYTES}. Under
 * {@link AuditSync#WRITE} each entry is copied here before the audited handler returns: in the page
 * cache at once, so it survives the process, without a system call per entry nor a page fault per new
 * page of the audit file (the circle's pages are mapped once and stay so), while the audit file itself
 * is written 64 KiB at a time. What the circle holds beyond the audit file's end is the chain's
 * continuation as far as its entries link; the rest is an earlier lap and never links. The trail
 * deletes the file when it closes, and a reopening trail appends what it holds to the audit file.
 */
final class AuditTail implements AutoCloseable {

    /** The circle's size: more than the bytes a trail holds back from the audit file (64 KiB) and an entry. */
    static final int BYTES = 1 << 20;

    private final Path path;
    private MappedByteBuffer circle;

    private AuditTail(Path path, MappedByteBuffer circle) {
        this.path = path;
        this.circle = circle;
    }

    static Path of(Path auditFile) {
        return auditFile.resolveSibling(auditFile.getFileName() + ".tail");
    }

    /**
     * Creates the tail of {@code auditFile}, all zeros, and maps it. A mapping is an interruptible channel
     * call that closes the channel for good if the thread is interrupted; the interrupt is held back for
     * the call and restored after.
     */
    static AuditTail create(Path auditFile) throws IOException {
        Path path = of(auditFile);
        boolean interrupted = Thread.interrupted();
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.setLength(0);
            file.setLength(BYTES);
            return new AuditTail(path, file.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, BYTES));
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Copies {@code length} bytes of {@code bytes}, the audit file's from {@code position} on, into the circle. */
    void copy(byte[] bytes, int length, long position) {
        int at = (int) (position & (BYTES - 1));
        int first = Math.min(length, BYTES - at);
        circle.put(at, bytes, 0, first);
        if (first < length) {
            circle.put(0, bytes, first, length - first);
        }
    }

    /**
     * Deletes the file: the audit file holds every entry now. Where a mapped file cannot be deleted (on
     * Windows), it is zeroed instead, which holds no entry either.
     */
    @Override
    public void close() throws IOException {
        if (circle == null) {
            return;
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            circle.put(0, new byte[BYTES]);
        }
        circle = null;
    }

    /**
     * The bytes of {@code auditFile}'s tail from position {@code from} of the audit file on, one lap of
     * the circle (its size is the file's); null if it has no tail.
     */
    static InputStream lap(Path auditFile, long from) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(of(auditFile));
        } catch (NoSuchFileException e) {
            return null;
        }
        if (bytes.length == 0) {
            return null;
        }
        int at = (int) (from % bytes.length);
        return new SequenceInputStream(
                new ByteArrayInputStream(bytes, at, bytes.length - at), new ByteArrayInputStream(bytes, 0, at));
    }

    /** Deletes {@code auditFile}'s tail, if it has one. */
    static void delete(Path auditFile) throws IOException {
        Files.deleteIfExists(of(auditFile));
    }
}
