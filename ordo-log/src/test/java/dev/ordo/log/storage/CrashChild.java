package dev.ordo.log.storage;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Run as a child JVM by {@link CrashRecoveryTest}: opens the data directory, appends batches and
 * prints {@code ACK first last} once each is appended (durable with fsync on every batch, the
 * default; {@code none} as the second argument leaves it to the OS and rolls 16 KiB segments, so
 * that kills often find sealed segments the background has not forced yet), until killed.
 */
public final class CrashChild {

    private CrashChild() {}

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        boolean none = args.length > 1 && args[1].equals("none");
        LogConfig config = none
                ? new LogConfig(16 * 1024, 1024, 16 * 1024, FsyncPolicy.none())
                : new LogConfig(64 * 1024, 1024, 16 * 1024, FsyncPolicy.everyBatch());
        try (DataDirectory data = DataDirectory.open(root);
                PartitionLog log = PartitionLog.open(data.partitionDirectory("crash", 0), config)) {
            System.out.println("OPEN " + log.nextOffset() + " " + log.truncatedOnOpen());
            System.out.flush();
            for (int batch = 0; ; batch++) {
                long next = log.nextOffset();
                int size = 1 + batch % 5;
                List<Record> records = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    records.add(Record.of(
                            System.currentTimeMillis(),
                            null,
                            ("value-" + (next + i)).getBytes(StandardCharsets.UTF_8)));
                }
                long first = log.append(records, RecordBatch.Producer.NONE);
                System.out.println("ACK " + first + " " + (first + size - 1));
                System.out.flush();
            }
        }
    }
}
