package dev.ordo.log.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A partition's recovery point and its file {@value #NAME}: every offset below the point is on disk,
 * so that after a power loss recovery scans only the segments from there on (Kafka keeps the same per
 * log directory). The file holds 8 bytes of offset (big-endian) and the CRC32C of those 8 bytes and is
 * replaced atomically ({@link AtomicFile}); a damaged one counts as none (docs/log-format.md,
 * "Recovery"). Not thread-safe: {@link PartitionLog} changes it under its monitor.
 */
final class RecoveryPointFile {

    private static final Logger LOG = LoggerFactory.getLogger(RecoveryPointFile.class);

    static final String NAME = "recovery-point";

    private final Path dir;
    private long offset;
    private boolean stored;

    private RecoveryPointFile(Path dir, long offset, boolean stored) {
        this.dir = dir;
        this.offset = offset;
        this.stored = stored;
    }

    /**
     * The recovery point stored in {@code dir}; without one (a log that never rolled, one written before
     * the file existed, or a damaged file), {@code lastBase}: every sealed segment counts as forced.
     */
    static RecoveryPointFile load(Path dir, long lastBase) throws IOException {
        Long stored = read(dir);
        return new RecoveryPointFile(dir, stored != null ? stored : lastBase, stored != null);
    }

    /** Every offset below this one is on disk. */
    long offset() {
        return offset;
    }

    /** Whether the file exists: from a log's first roll on it must, or a missing file would mean "all forced". */
    boolean stored() {
        return stored;
    }

    /** Stores {@code point} as the recovery point. */
    void store(long point) throws IOException {
        write(dir, point);
        offset = point;
        stored = true;
    }

    /**
     * Moves the point to {@code point} (the oldest segment not known forced) if that is further on,
     * and stores it a first time once the log has sealed segments.
     */
    void advance(long point, boolean hasSealedSegments) throws IOException {
        if (point > offset || (!stored && hasSealedSegments)) {
            store(Math.max(point, offset));
        }
    }

    /** Writes {@code dir}'s recovery point file atomically. */
    static void write(Path dir, long point) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(12).putLong(point);
        bytes.putInt(crcOfFirst8(bytes.array()));
        AtomicFile.write(dir.resolve(NAME), bytes.array());
    }

    /**
     * The stored recovery point, or null if there is none; a damaged file counts as none (every sealed
     * segment is then trusted as forced, so damage in one stops the open, as the corruption policy says).
     */
    static Long read(Path dir) throws IOException {
        Path file = dir.resolve(NAME);
        if (!Files.exists(file)) {
            return null;
        }
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length != 12 || ByteBuffer.wrap(bytes).getInt(8) != crcOfFirst8(bytes)) {
            LOG.error("damaged {} ({} bytes): ignored, sealed segments are trusted as forced", file, bytes.length);
            return null;
        }
        return ByteBuffer.wrap(bytes).getLong(0);
    }

    private static int crcOfFirst8(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 8);
        return (int) crc.getValue();
    }
}
