package dev.ordo.log.storage;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Run as a child JVM by {@link CrashRecoveryTest}: opens the data directory, appends batches with
 * fsync on every batch and prints {@code ACK first last} once each is durable, until killed.
 */
public final class CrashChild {

    private CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        try (DataDirectory data = DataDirectory.open(root);
                PartitionLog log = data.partition("crash", 0, new LogConfig(64 * 1024, 1024, 16 * 1024, FsyncPolicy.everyBatch()))) {
            System.out.println("OPEN " + log.nextOffset() + " " + log.truncatedOnOpen());
            System.out.flush();
            for (int batch = 0; ; batch++) {
                long next = log.nextOffset();
                int size = 1 + batch % 5;
                List<Record> records = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    records.add(Record.of(System.currentTimeMillis(), null, ("value-" + (next + i)).getBytes(StandardCharsets.UTF_8)));
                }
                long first = log.append(records, RecordBatch.Producer.NONE);
                System.out.println("ACK " + first + " " + (first + size - 1));
                System.out.flush();
            }
        }
    }
}
