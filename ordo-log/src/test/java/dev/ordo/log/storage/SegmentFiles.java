package dev.ordo.log.storage;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Segment files as a test reads and damages them: where each batch is, and a flipped bit inside one. */
public final class SegmentFiles {

    /** A batch's place in a log file and its offsets, read from its header. */
    public record BatchAt(long position, int bytes, long baseOffset, long lastOffset) {}

    private SegmentFiles() {}

    /** The batches of {@code logFile}, in order (the file must be whole). */
    public static List<BatchAt> batches(Path logFile) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(logFile));
        List<BatchAt> batches = new ArrayList<>();
        for (int at = 0; at < bytes.limit(); ) {
            int size = RecordBatch.LENGTH_SIZE + bytes.getInt(at);
            long base = bytes.getLong(at + 10);
            batches.add(new BatchAt(at, size, base, base + bytes.getInt(at + 18)));
            at += size;
        }
        return batches;
    }

    /**
     * Flips one bit of a record byte (past the header, so that only the CRC notices) of the batch
     * holding the byte at {@code fraction} of the file's length; returns that batch.
     */
    public static BatchAt flipARecordBit(Path logFile, double fraction) throws IOException {
        long target = (long) (Files.size(logFile) * fraction);
        BatchAt hit = batches(logFile).stream()
                .filter(b -> b.position() + b.bytes() > target)
                .findFirst()
                .orElseThrow();
        try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "rw")) {
            long at = hit.position() + RecordBatch.HEADER_SIZE + 1;
            file.seek(at);
            int b = file.read();
            file.seek(at);
            file.write(b ^ 0x10);
        }
        return hit;
    }
}
