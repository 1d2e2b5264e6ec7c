package dev.ordo.log.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Run as a child JVM by {@link FullDiskTest} under a file size limit ({@code ulimit -f}): the kernel
 * refuses writes past it as it would on a full disk, the first one partly written. Appends 3,000-byte
 * records until one fails, then a small one that still fits, then one a minute of record time later
 * (a roll by age seals the segment the failed write was in), then a few more; flushes, closes, and
 * prints {@code ACK offset size} per appended record, {@code FAILED message} per refused one and
 * {@code CLOSED} at the end.
 */
public final class FileLimitChild {

    /** Record timestamps: fixed, so that exactly the append after the failure rolls by age. */
    static final long START_MILLIS = 1_700_000_000_000L;

    static final Duration SEGMENT_AGE = Duration.ofMinutes(1);

    private FileLimitChild() {}

    /** The log's configuration here and when the test reopens it: segments far beyond the file limit, rolled by age. */
    static LogConfig config() {
        return new LogConfig(
                64 << 20, 1024, 64 * 1024, FsyncPolicy.none(), SEGMENT_AGE, LogConfig.Retention.unlimited());
    }

    /** The value of the record at {@code offset}: its size, and bytes derived from the offset. */
    static byte[] value(long offset, int size) {
        byte[] value = new byte[size];
        for (int i = 0; i < size; i++) {
            value[i] = (byte) (offset * 31 + i);
        }
        return value;
    }

    public static void main(String[] args) throws Exception {
        try (PartitionLog log = PartitionLog.open(Path.of(args[0]), config())) {
            int failures = 0;
            while (failures == 0) {
                failures += append(log, 3000, START_MILLIS) ? 0 : 1;
            }
            append(log, 20, START_MILLIS); // fits below the limit, where the failed write left bytes
            append(log, 3000, START_MILLIS); // refused again: the limit holds
            for (int i = 0; i < 5; i++) {
                append(log, 3000, START_MILLIS + SEGMENT_AGE.toMillis() + i); // the first rolls by age
            }
            log.flush(); // forces the sealed segment: it is before the recovery point on reopen
        }
        System.out.println("CLOSED");
    }

    private static boolean append(PartitionLog log, int size, long timestamp) {
        long offset = log.nextOffset();
        try {
            log.append(List.of(Record.of(timestamp, null, value(offset, size))), RecordBatch.Producer.NONE);
            System.out.println("ACK " + offset + " " + size);
            return true;
        } catch (IOException e) {
            System.out.println("FAILED " + e.getMessage());
            return false;
        }
    }
}
