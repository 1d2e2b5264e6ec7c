package dev.ordo.log.storage;

import static dev.ordo.log.storage.PartitionLogTest.rec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongUnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoveryTest {

    @TempDir
    Path dir;

    private static LogConfig oneSegment() {
        return new LogConfig(1 << 20, 128, 1 << 16, FsyncPolicy.none());
    }

    /** Writes {@code n} single-record batches and returns the end position of each. */
    private static List<Long> writeBatches(Path dir, int n) throws Exception {
        List<Long> ends = new ArrayList<>();
        try (PartitionLog log = PartitionLog.open(dir, oneSegment())) {
            for (int i = 0; i < n; i++) {
                log.append(List.of(rec("v" + i)), RecordBatch.Producer.NONE);
                ends.add(Files.size(dir.resolve("00000000000000000000.log")));
            }
        }
        return ends;
    }

    @Property(tries = 60)
    void aTornTailIsCutAndEveryCompleteBatchBeforeItIsKept(
            @ForAll @IntRange(min = 1, max = 40) int batches, @ForAll long seed) throws Exception {
        Path d = Files.createTempDirectory("torn");
        List<Long> ends = writeBatches(d, batches);
        long cut = new Random(seed).nextLong(ends.get(ends.size() - 1) + 1);
        try (RandomAccessFile file =
                new RandomAccessFile(d.resolve("00000000000000000000.log").toFile(), "rw")) {
            file.setLength(cut);
        }
        long complete = ends.stream().filter(e -> e <= cut).count();

        try (PartitionLog log = PartitionLog.open(d, oneSegment())) {
            assertThat(log.nextOffset()).isEqualTo(complete);
            List<Record> kept = complete == 0 ? List.of() : log.read(0, 1 << 20);
            assertThat(kept)
                    .extracting(PartitionLogTest::valueOf)
                    .containsExactlyElementsOf(IntStream.range(0, (int) complete)
                            .mapToObj(i -> "v" + i)
                            .toList());
            assertThat(log.append(List.of(rec("next")), RecordBatch.Producer.NONE))
                    .isEqualTo(complete);
        }
    }

    @Property(tries = 60)
    void aFlippedByteCutsTheLogAtTheDamagedBatchAndKeepsEverythingBefore(
            @ForAll @IntRange(min = 2, max = 40) int batches, @ForAll long seed) throws Exception {
        Path d = Files.createTempDirectory("flip");
        List<Long> ends = writeBatches(d, batches);
        Random random = new Random(seed);
        long at = random.nextLong(ends.get(ends.size() - 1));
        Path logFile = d.resolve("00000000000000000000.log");
        try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "rw")) {
            file.seek(at);
            int b = file.read();
            file.seek(at);
            file.write(b ^ (1 << random.nextInt(8)));
        }
        long damagedBatch = ends.stream().filter(e -> e <= at).count();

        try (PartitionLog log = PartitionLog.open(d, oneSegment())) {
            assertThat(log.nextOffset())
                    .as("damage at byte %d is in batch %d", at, damagedBatch)
                    .isEqualTo(damagedBatch);
            assertThat(log.truncatedOnOpen()).isPositive();
            if (damagedBatch > 0) {
                assertThat(log.read(0, 1 << 20)).hasSize((int) damagedBatch);
            }
        }
    }

    @Test
    void aMissingOrGarbageIndexIsRebuilt() throws Exception {
        LogConfig config = new LogConfig(2_048, 64, 2_048, FsyncPolicy.none());
        try (PartitionLog log = PartitionLog.open(dir, config)) {
            for (int i = 0; i < 300; i++) {
                log.append(List.of(rec("v" + i)), RecordBatch.Producer.NONE);
            }
        }
        try (var files = Files.list(dir)) {
            List<Path> indexes =
                    files.filter(p -> p.toString().endsWith(".index")).sorted().toList();
            Files.delete(indexes.get(0));
            Files.write(indexes.get(1), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9, 9, 9, 9, 9});
        }
        try (PartitionLog log = PartitionLog.open(dir, config)) {
            assertThat(log.nextOffset()).isEqualTo(300);
            for (long offset : new long[] {0, 17, 150, 299}) {
                assertThat(log.read(offset, 1))
                        .first()
                        .extracting(PartitionLogTest::valueOf)
                        .isEqualTo("v" + offset);
            }
        }
    }

    @Test
    void theActiveSegmentsIndexReachesItsFileWhenTheSegmentIsSealedNotWithEveryAppend() throws Exception {
        LogConfig config = new LogConfig(2_048, 64, 2_048, FsyncPolicy.none());
        Path firstIndex = dir.resolve("00000000000000000000.index");
        try (PartitionLog log = PartitionLog.open(dir, config)) {
            int appended = 0;
            while (log.segmentCount() == 1) {
                log.append(List.of(rec("v" + appended++)), RecordBatch.Producer.NONE);
                if (log.segmentCount() == 1) {
                    assertThat(Files.size(firstIndex))
                            .as("active index file after %d appends", appended)
                            .isZero();
                }
            }
            // Sealed by the roll: every entry (one per 64 bytes of ~40-byte batches) written at once.
            assertThat(Files.size(firstIndex))
                    .as("sealed index file")
                    .isGreaterThanOrEqualTo(10L * OffsetIndex.ENTRY_SIZE);
            assertThat(Files.size(firstIndex) % OffsetIndex.ENTRY_SIZE)
                    .as("whole entries")
                    .isZero();
            for (int i = 0; i < 300; i++) {
                log.append(List.of(rec("v" + appended++)), RecordBatch.Producer.NONE);
            }
        }
        try (PartitionLog log = PartitionLog.open(dir, config)) {
            for (long offset = 0; offset < log.nextOffset(); offset += 13) {
                assertThat(log.read(offset, 1))
                        .first()
                        .extracting(PartitionLogTest::valueOf)
                        .isEqualTo("v" + offset);
            }
        }
    }

    @Test
    void damageInsideASealedSegmentStopsTheOpenNamingFileAndPosition() throws Exception {
        LogConfig config = new LogConfig(2_048, 64, 2_048, FsyncPolicy.none());
        Path first = write300AndFlipAByteOfTheFirstSegment(config, size -> size - 10);
        long size = Files.size(first);
        Files.delete(dir.resolve("00000000000000000000.index"));
        assertThatThrownBy(() -> PartitionLog.open(dir, config))
                .isInstanceOf(CorruptLogException.class)
                .hasMessageContaining(first.toString())
                .hasMessageContaining("refusing to open");
        assertThat(Files.size(first)).as("nothing was cut").isEqualTo(size);
    }

    @Test
    void underPolicySkipADamagedSealedSegmentIsCutThereAndEverythingElseIsKept() throws Exception {
        LogConfig config = new LogConfig(2_048, 64, 2_048, FsyncPolicy.none()).withCorruption(CorruptionPolicy.SKIP);
        write300AndFlipAByteOfTheFirstSegment(config, size -> size / 2); // in the middle of a sealed segment
        Path index = dir.resolve("00000000000000000000.index");
        Files.delete(index); // so the whole segment is scanned
        assertThatThrownBy(() -> PartitionLog.open(dir, config.withCorruption(CorruptionPolicy.STOP)))
                .as("the default refuses")
                .isInstanceOf(CorruptLogException.class);
        Files.deleteIfExists(index);
        try (PartitionLog log = PartitionLog.open(dir, config)) {
            long lost = log.offsetsLostToCorruption();
            assertThat(lost).as("the damaged batch and the rest of its segment").isPositive();
            List<String> values = new ArrayList<>();
            long offset = 0;
            while (offset < log.nextOffset()) {
                List<Record> got = log.read(offset, 1 << 16);
                got.forEach(r -> values.add(PartitionLogTest.valueOf(r)));
                offset = got.get(got.size() - 1).offset() + 1;
            }
            assertThat(values)
                    .as("every record outside the lost range, in order")
                    .hasSize(300 - (int) lost);
            // The records before the damage, then (after the gap) the later segments, untouched.
            int firstAfterGap = 0;
            while (values.get(firstAfterGap).equals("v" + firstAfterGap)) {
                firstAfterGap++;
            }
            assertThat(values.get(firstAfterGap)).isEqualTo("v" + (firstAfterGap + lost));
            assertThat(values.subList(firstAfterGap, values.size()))
                    .isEqualTo(IntStream.range(firstAfterGap + (int) lost, 300)
                            .mapToObj(i -> "v" + i)
                            .toList());
            assertThat(log.append(List.of(rec("next")), RecordBatch.Producer.NONE))
                    .as("appends go on")
                    .isEqualTo(300);
        }
    }

    @Test
    void aSegmentSealedButNotYetForcedWhenPowerWasLostIsCutAtItsTornTailAndTheLaterOnesDropped() throws Exception {
        LogConfig config = new LogConfig(2_048, 64, 2_048, FsyncPolicy.none());
        List<Long> bases = appendAndClose(config, 300);
        assertThat(bases).hasSizeGreaterThan(3);
        assertThat(RecoveryPointFile.read(dir))
                .as("close forced every sealed segment")
                .isEqualTo(bases.get(bases.size() - 1));
        // A power loss while the second segment was sealed but not yet forced: its tail is torn, and
        // the recovery point (stored after each sealed segment is forced) is still its base offset.
        Path second = dir.resolve(SegmentFileNames.fileName(bases.get(1), ".log"));
        long keptBytes = Files.size(second) - 10;
        try (RandomAccessFile file = new RandomAccessFile(second.toFile(), "rw")) {
            file.setLength(keptBytes);
        }
        RecoveryPointFile.write(dir, bases.get(2));
        assertThatThrownBy(() -> PartitionLog.open(dir, config))
                .as("damage before the recovery point is corruption")
                .isInstanceOf(CorruptLogException.class);
        RecoveryPointFile.write(dir, bases.get(1));

        try (PartitionLog log = PartitionLog.open(dir, config)) {
            assertThat(segmentBases()).as("the later segments are dropped").containsExactly(bases.get(0), bases.get(1));
            long next = log.nextOffset();
            assertThat(next)
                    .as("cut inside the second segment")
                    .isGreaterThan(bases.get(1))
                    .isLessThan(bases.get(2));
            List<String> values = new ArrayList<>();
            for (long offset = 0; offset < next; offset++) {
                values.add(PartitionLogTest.valueOf(log.read(offset, 1).get(0)));
            }
            assertThat(values)
                    .isEqualTo(IntStream.range(0, (int) next)
                            .mapToObj(i -> "v" + i)
                            .toList());
            assertThat(log.append(List.of(rec("next")), RecordBatch.Producer.NONE))
                    .isEqualTo(next);
            assertThat(log.recoveryPoint()).as("what recovery kept is forced").isEqualTo(bases.get(1));
        }
    }

    @Test
    void aSegmentSealedButNotYetForcedThatLostWholeBatchesAlsoDropsTheLaterOnes() throws Exception {
        LogConfig config = new LogConfig(2_048, 64, 2_048, FsyncPolicy.none());
        List<Long> bases = appendAndClose(config, 200);
        // Power lost before any of the second segment's data reached the disk: an empty file, which
        // ends cleanly at a batch boundary, but short of the third segment's base offset.
        try (RandomAccessFile file = new RandomAccessFile(
                dir.resolve(SegmentFileNames.fileName(bases.get(1), ".log")).toFile(), "rw")) {
            file.setLength(0);
        }
        RecoveryPointFile.write(dir, bases.get(1));
        try (PartitionLog log = PartitionLog.open(dir, config)) {
            assertThat(log.nextOffset()).isEqualTo(bases.get(1));
            assertThat(segmentBases()).containsExactly(bases.get(0), bases.get(1));
            assertThat(log.read(bases.get(1) - 1, 1))
                    .extracting(PartitionLogTest::valueOf)
                    .containsExactly("v" + (bases.get(1) - 1));
        }
    }

    @Test
    void rollsLeaveTheSealedSegmentToTheBackgroundAndTheRecoveryPointFollows() throws Exception {
        LogConfig config = new LogConfig(2_048, 64, 2_048, FsyncPolicy.none());
        try (PartitionLog log = PartitionLog.open(dir, config)) {
            for (int i = 0; log.segmentCount() < 5; i++) {
                log.append(List.of(rec("v" + i)), RecordBatch.Producer.NONE);
            }
            long activeBase = segmentBases().get(4);
            await().atMost(Duration.ofSeconds(30)).until(() -> log.recoveryPoint() == activeBase);
            assertThat(RecoveryPointFile.read(dir)).isEqualTo(activeBase);
        }
    }

    @Test
    void underEveryBatchAnAppendReturnsOnlyOnceTheSegmentsSealedBeforeItAreForced() throws Exception {
        LogConfig config = new LogConfig(2_048, 64, 2_048, FsyncPolicy.everyBatch());
        try (PartitionLog log = PartitionLog.open(dir, config)) {
            for (int i = 0; log.segmentCount() < 4; i++) {
                log.append(List.of(rec("v" + i)), RecordBatch.Producer.NONE);
                List<Long> bases = segmentBases();
                assertThat(log.recoveryPoint()).as("after append %d", i).isEqualTo(bases.get(bases.size() - 1));
            }
        }
    }

    /**
     * Appends {@code records} single-record batches ("v0", "v1", ...), closes, and returns the
     * segments' base offsets.
     */
    private List<Long> appendAndClose(LogConfig config, int records) throws Exception {
        try (PartitionLog log = PartitionLog.open(dir, config)) {
            for (int i = 0; i < records; i++) {
                log.append(List.of(rec("v" + i)), RecordBatch.Producer.NONE);
            }
        }
        return segmentBases();
    }

    /** Base offsets of the segments in {@code dir}, in order. */
    private List<Long> segmentBases() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".log"))
                    .map(n -> Long.parseLong(n.substring(0, 20)))
                    .sorted()
                    .toList();
        }
    }

    /**
     * Appends 300 single-record batches over several 2 KiB segments, then flips the byte
     * {@code at(size)} of the first.
     */
    private Path write300AndFlipAByteOfTheFirstSegment(LogConfig config, LongUnaryOperator at) throws Exception {
        appendAndClose(config, 300);
        Path first = dir.resolve("00000000000000000000.log");
        try (RandomAccessFile file = new RandomAccessFile(first.toFile(), "rw")) {
            file.seek(at.applyAsLong(Files.size(first)));
            file.write(file.read() ^ 0xFF);
        }
        return first;
    }
}
