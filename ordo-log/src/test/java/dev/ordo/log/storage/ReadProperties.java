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

/**
 * Reading a partition from any offset with any byte limit returns exactly the records appended
 * from there, in order: batches of every size, read through windows that end inside a batch,
 * batches larger than a window, segment boundaries and a reopen.
 */
class ReadProperties {

    @Property(tries = 80)
    void readingFromAnyOffsetWithAnyLimitReturnsTheRecordsAppendedFromThere(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 40) int batches,
            @ForAll @IntRange(min = 1, max = 300_000) int maxBytes)
            throws Exception {
        Random random = new Random(seed);
        Path dir = Files.createTempDirectory("read-props");
        try {
            int segmentBytes = 4 * LogSegment.READ_WINDOW; // a few batches of up to 1.5 windows fit a segment
            LogConfig config = new LogConfig(segmentBytes, 1 + random.nextInt(4_096), segmentBytes, FsyncPolicy.none());
            List<Record> all = new ArrayList<>();
            try (PartitionLog log = PartitionLog.open(dir, config)) {
                for (int b = 0; b < batches; b++) {
                    List<Record> batch = new ArrayList<>();
                    int count = 1 + random.nextInt(30);
                    // Mostly small records; now and then one larger than a read window.
                    int valueBytes = random.nextInt(20) == 0
                            ? LogSegment.READ_WINDOW + random.nextInt(LogSegment.READ_WINDOW / 2)
                            : random.nextInt(2_000);
                    for (int i = 0; i < count; i++) {
                        byte[] key =
                                random.nextBoolean() ? null : RecordBatchProperties.bytes(random, random.nextInt(20));
                        batch.add(Record.of(
                                1_700_000_000_000L + b,
                                key,
                                RecordBatchProperties.bytes(random, i == 0 ? valueBytes : random.nextInt(300))));
                    }
                    long base = log.append(batch, RecordBatch.Producer.NONE);
                    for (int i = 0; i < batch.size(); i++) {
                        Record r = batch.get(i);
                        all.add(new Record(base + i, r.timestamp(), r.key(), r.value(), List.of()));
                    }
                }
                assertReadsAgree(log, all, maxBytes, random);
            }
            try (PartitionLog reopened = PartitionLog.open(dir, config)) {
                assertReadsAgree(reopened, all, maxBytes, random);
            }
        } finally {
            Directories.deleteRecursively(dir);
        }
    }

    private static void assertReadsAgree(PartitionLog log, List<Record> all, int maxBytes, Random random)
            throws Exception {
        for (int start : List.of(0, random.nextInt(all.size()), all.size() - 1)) {
            List<Record> got = new ArrayList<>();
            long offset = start;
            while (offset < log.nextOffset()) {
                List<Record> batch = log.read(offset, maxBytes);
                assertThat(batch).as("a read returns at least one record").isNotEmpty();
                got.addAll(batch);
                offset = batch.get(batch.size() - 1).offset() + 1;
            }
            assertThat(got).as("read from %d with limit %d", start, maxBytes).isEqualTo(all.subList(start, all.size()));
        }
    }
}
