package dev.ordo.log.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Lookup by time through the index agrees with a scan of every record, before and after a reopen. */
class TimeIndexProperties {

    @Property(tries = 60)
    void offsetForTimeIsTheFirstOffsetAtOrAfterTheTime(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 60) int batches,
            @ForAll @IntRange(min = 0, max = 3_000) int jitterMillis)
            throws Exception {
        Random random = new Random(seed);
        Path dir = Files.createTempDirectory("time-index");
        try {
            LogConfig config = new LogConfig(2_048, 1 + random.nextInt(600), 2_048, FsyncPolicy.none());
            List<Record> all = new ArrayList<>();
            long clock = 1_700_000_000_000L;
            try (PartitionLog log = PartitionLog.open(dir, config)) {
                for (int b = 0; b < batches; b++) {
                    List<Record> batch = new ArrayList<>();
                    for (int i = 1 + random.nextInt(4); i > 0; i--) {
                        clock += random.nextInt(1_000);
                        // Timestamps mostly rise, but a producer's clock may lag: up to jitter behind.
                        long timestamp = clock - (jitterMillis == 0 ? 0 : random.nextInt(jitterMillis));
                        batch.add(Record.of(timestamp, null, RecordBatchProperties.bytes(random, random.nextInt(200))));
                    }
                    long base = log.append(batch, RecordBatch.Producer.NONE);
                    for (int i = 0; i < batch.size(); i++) {
                        all.add(new Record(
                                base + i,
                                batch.get(i).timestamp(),
                                null,
                                batch.get(i).value(),
                                List.of()));
                    }
                }
                assertAgrees(log, all, random);
            }
            try (PartitionLog reopened = PartitionLog.open(dir, config)) {
                assertAgrees(reopened, all, random);
            }
        } finally {
            Directories.deleteRecursively(dir);
        }
    }

    private static void assertAgrees(PartitionLog log, List<Record> all, Random random) throws Exception {
        long min = all.stream().mapToLong(Record::timestamp).min().orElseThrow();
        long max = all.stream().mapToLong(Record::timestamp).max().orElseThrow();
        List<Long> queries = new ArrayList<>(List.of(min - 1, min, max, max + 1));
        for (int i = 0; i < 20; i++) {
            queries.add(min + (long) (random.nextDouble() * (max - min + 1)));
        }
        for (Record r : all.subList(0, Math.min(10, all.size()))) {
            queries.add(r.timestamp());
        }
        for (long t : queries) {
            long expected = all.stream()
                    .filter(r -> r.timestamp() >= t)
                    .mapToLong(Record::offset)
                    .min()
                    .orElse(log.nextOffset());
            assertThat(log.offsetForTime(t)).as("offset for time %d", t).isEqualTo(expected);
        }
    }
}
