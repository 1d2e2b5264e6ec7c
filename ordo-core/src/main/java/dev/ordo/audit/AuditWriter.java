package dev.ordo.audit;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append end of one audit file: entries take turns under one lock (the chain is a sequence, each
 * hash needs the one before), are encoded into one reused buffer and handed to the {@link Appender}
 * the {@link AuditSync} picks; {@link AuditSync#FORCE} forces each. Opening an existing file follows its
 * whole chain first, into its tail ({@link AuditTail}) if a trail left one: a torn last entry and zeros
 * an older trail mapped ahead are cut off, the entries the tail holds beyond the file's end are appended
 * to it, a break before the end refuses the file.
 */
final class AuditWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuditWriter.class);
    private static final int BUFFER_BYTES = 1 << 12;

    private final Path path;
    private final Path checkpoints;
    private final AuditSync sync;
    private final long checkpointEvery;
    private final RandomAccessFile file;
    private final FileLock fileLock;
    private final MessageDigest sha = AuditFormat.sha256();
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
    private Appender appender;
    private final KeyTable keys;
    /**
     * The chain's turn. A lock rather than a monitor: on a machine with fewer cores than handler threads
     * a contended monitor spun for the holder, and an audited trivial handler cost twice the CPU per
     * record; this lock parks the waiters (AuditOverheadBenchmark, BENCHMARKS.md).
     */
    private final ReentrantLock lock = new ReentrantLock();

    private byte[] head;
    private long entries;
    private boolean closed;
    private Exception failure;

    private AuditWriter(Path path, AuditSync sync, long checkpointEvery, int maxKeys, RandomAccessFile file)
            throws IOException {
        this.path = path;
        this.checkpoints = AuditCheckpoints.of(path);
        this.sync = sync;
        this.checkpointEvery = checkpointEvery;
        this.file = file;
        this.keys = new KeyTable(maxKeys);
        FileLock taken;
        try {
            taken = file.getChannel().tryLock();
        } catch (OverlappingFileLockException e) {
            taken = null;
        }
        if (taken == null) {
            file.close();
            throw new AuditException("audit file " + path + " is open for writing already (another trail holds it)");
        }
        this.fileLock = taken;
    }

    static AuditWriter open(Path path, AuditSync sync, long checkpointEvery, int maxKeys, long nowMillis)
            throws IOException {
        RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw");
        AuditWriter writer;
        try {
            writer = new AuditWriter(path, sync, checkpointEvery, maxKeys, file);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
        try {
            if (file.length() == 0) {
                writer.create(nowMillis);
            } else {
                writer.recover();
            }
            return writer;
        } catch (IOException | RuntimeException e) {
            writer.closeQuietly();
            throw e;
        }
    }

    /** A new file: the header, forced with its directory entry, so that entry 0 has something to link to. */
    private void create(long nowMillis) throws IOException {
        byte[] chainId = new byte[16];
        new SecureRandom().nextBytes(chainId);
        byte[] header = AuditFormat.header(nowMillis, chainId);
        file.write(header);
        file.getFD().sync();
        Path parent = path.toAbsolutePath().getParent();
        try (FileChannel dir = FileChannel.open(parent, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            LOG.debug("could not force directory {} (not supported here)", parent, e);
        }
        AuditTail.delete(path); // an earlier chain's: it would never link, but it is no part of this one
        head = AuditFormat.genesis(header);
        appender = appender(AuditFormat.HEADER_BYTES);
    }

    /**
     * An existing file: follows its chain (against its checkpoints) to the end, and on into the tail a
     * trail left, learning each key's last entry; cuts a torn last entry off, appends the entries the
     * tail holds, refuses a chain broken before its end.
     */
    private void recover() throws IOException {
        List<AuditCheckpoint> published = AuditCheckpoints.read(checkpoints);
        Consumer<AuditEntry> learn = entry -> keys.advance(entry.key(), entry.index());
        AuditScanner.Scan scan = AuditScanner.scan(path, published, learn);
        if (scan.broken() != null && scan.atTail()) {
            LOG.warn(
                    "audit file {}: its last entry {} is incomplete ({}), left by a crash: cut off, taken from its"
                            + " tail if that holds it",
                    path,
                    scan.entries(),
                    scan.broken().message());
            scan = AuditScanner.resume(path, published, scan, learn); // the tail may hold that entry whole
        }
        if (scan.broken() != null) {
            throw new AuditException("audit file " + path + " cannot be continued: "
                    + scan.broken().summary() + "; move it aside to start a new one");
        }
        long fromTail = scan.validEnd() - scan.fileEnd();
        if (scan.fileEnd() < file.length() || fromTail > 0) {
            file.setLength(scan.fileEnd());
            if (fromTail > 0) {
                byte[] entries;
                try (InputStream tail = AuditTail.lap(path, scan.fileEnd())) {
                    entries = tail.readNBytes((int) fromTail);
                }
                file.seek(scan.fileEnd());
                file.write(entries);
                LOG.info(
                        "audit file {}: appended the entries up to {} from its tail, left by a crash",
                        path,
                        scan.entries());
            }
            file.getFD().sync();
        }
        AuditTail.delete(path); // the file holds what it held
        head = scan.head().clone(); // advanced in place from here on
        entries = scan.entries();
        appender = appender(scan.validEnd());
    }

    private Appender appender(long end) throws IOException {
        return switch (sync) {
            case WRITE -> new TailAppender(new BufferedAppender(file, end), AuditTail.create(path), end);
            case BUFFERED, FORCE -> new BufferedAppender(file, end);
        };
    }

    /**
     * Appends an entry for {@code pending}, of key {@code key}, and returns its index. If that filled a
     * buffer, this thread writes it to the file after it released the lock.
     */
    long append(AuditFormat.Pending pending, byte[] key) {
        boolean handedOff = false;
        try {
            lock.lock();
            try {
                checkWritable();
                try {
                    long predecessor = keys.advance(key, entries);
                    int total = 4 + pending.length();
                    ByteBuffer out = total <= buffer.capacity() ? buffer.clear() : ByteBuffer.allocate(total);
                    AuditFormat.put(out, head, entries, predecessor, pending, sha);
                    handedOff = appender.append(out.array(), out.position());
                    long index = entries++;
                    if (sync == AuditSync.FORCE) {
                        appender.force();
                    }
                    if (checkpointEvery > 0 && entries % checkpointEvery == 0) {
                        checkpointLocked();
                    }
                    return index;
                } catch (IOException | RuntimeException e) {
                    throw fail("append entry " + entries, e);
                }
            } finally {
                lock.unlock();
            }
        } finally {
            if (handedOff) {
                writeHandedOff();
            }
        }
    }

    private void writeHandedOff() {
        try {
            appender.writeHandedOff();
        } catch (IOException | RuntimeException e) {
            lock.lock();
            try {
                throw fail("write its entries", e);
            } finally {
                lock.unlock();
            }
        }
    }

    /** Writes and forces everything appended, records a checkpoint in the side file and returns it. */
    AuditCheckpoint checkpoint() {
        lock.lock();
        try {
            checkWritable();
            try {
                return checkpointLocked();
            } catch (IOException | RuntimeException e) {
                throw fail("checkpoint", e);
            }
        } finally {
            lock.unlock();
        }
    }

    private AuditCheckpoint checkpointLocked() throws IOException {
        appender.force();
        AuditCheckpoint checkpoint = new AuditCheckpoint(entries, head);
        AuditCheckpoints.append(checkpoints, checkpoint);
        return checkpoint;
    }

    /** Forces the file to the disk. */
    void force() {
        lock.lock();
        try {
            checkWritable();
            try {
                appender.force();
            } catch (IOException e) {
                throw fail("force", e);
            }
        } finally {
            lock.unlock();
        }
    }

    long entries() {
        lock.lock();
        try {
            return entries;
        } finally {
            lock.unlock();
        }
    }

    byte[] head() {
        lock.lock();
        try {
            return head.clone();
        } finally {
            lock.unlock();
        }
    }

    private void checkWritable() {
        if (closed) {
            throw new IllegalStateException("audit trail " + path + " is closed");
        }
        if (failure != null) {
            throw new AuditException(
                    "audit trail " + path + " failed earlier and takes no more entries: " + failure, failure);
        }
    }

    /** Marks the trail failed: the file may end in part of an entry, which reopening cuts off. */
    private AuditException fail(String what, Exception e) {
        failure = e;
        return new AuditException("audit trail " + path + " could not " + what + ": " + e, e);
    }

    /**
     * Writes what is buffered, forces, deletes the tail and closes; after a failure only closes (the tail
     * stays, reopening appends what it holds). Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (failure == null && appender != null) {
                    appender.close();
                }
            } catch (IOException e) {
                failure = e;
                throw new AuditException("audit trail " + path + " could not write its last entries: " + e, e);
            } finally {
                closeQuietly();
            }
        } finally {
            lock.unlock();
        }
    }

    private void closeQuietly() {
        try {
            if (fileLock != null && fileLock.isValid()) {
                fileLock.release();
            }
            file.close();
        } catch (IOException e) {
            LOG.warn("audit file {}: close failed", path, e);
        }
    }

    @Override
    public String toString() {
        return "AuditWriter[" + path + ", " + sync + "]";
    }
}
