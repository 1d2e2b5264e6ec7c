package dev.ordo.log.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PartitionLog#deleteRecordsBefore} drops records in whole segments and keeps the offsets: what a
 * retired partition every consumer group has read gets, crash-safe and idempotent.
 */
class DeleteRecordsTest {

    /** Segments of 1 KiB: about ten records of 100 bytes each. */
    private static final LogConfig CONFIG = new LogConfig(1_024, 256, 1_024, FsyncPolicy.none());

    @TempDir
    Path root;

    private Path dir;

    @BeforeEach
    void partitionDirectory() {
        dir = root.resolve("topic-0");
    }

    private static void append(PartitionLog log, int records) throws IOException {
        for (int i = 0; i < records; i++) {
            log.append(List.of(Record.of(System.currentTimeMillis(), null, new byte[100])), RecordBatch.Producer.NONE);
        }
    }

    @Test
    void deletingEveryRecordKeepsTheNextOffsetAndAppendsGoOnThere() throws Exception {
        try (PartitionLog log = PartitionLog.open(dir, CONFIG)) {
            append(log, 100);
            assertThat(log.segmentCount()).isGreaterThan(5);
            long sizeBefore = log.sizeInBytes();

            assertThat(log.deleteRecordsBefore(100)).isEqualTo(100);
            assertThat(RecoveryPointFile.read(dir))
                    .as("the new end was on disk before anything went")
                    .isEqualTo(100L);
            assertThat(log.startOffset()).isEqualTo(100);
            assertThat(log.nextOffset()).isEqualTo(100);
            assertThat(log.segmentCount()).isEqualTo(1);
            assertThat(log.sizeInBytes()).isZero().isLessThan(sizeBefore);
            assertThat(log.read(100, 1 << 20)).isEmpty();
            assertThatThrownBy(() -> log.read(99, 1 << 20))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("log start offset 100");
            await().atMost(Duration.ofSeconds(10)).until(() -> files(".deleted").isEmpty());
            assertThat(files(".log")).containsExactly("00000000000000000100.log");

            assertThat(log.deleteRecordsBefore(100))
                    .as("again: nothing left to do")
                    .isEqualTo(100);
            assertThat(log.segmentCount()).isEqualTo(1);

            append(log, 3);
            assertThat(log.read(100, 1 << 20)).extracting(Record::offset).containsExactly(100L, 101L, 102L);
        }
        try (PartitionLog reopened = PartitionLog.open(dir, CONFIG)) {
            assertThat(reopened.startOffset()).isEqualTo(100);
            assertThat(reopened.nextOffset()).isEqualTo(103);
            assertThat(reopened.deleteRecordsBefore(103)).isEqualTo(103);
        }
        try (PartitionLog reopened = PartitionLog.open(dir, CONFIG)) {
            assertThat(reopened.startOffset()).isEqualTo(103);
            assertThat(reopened.nextOffset()).as("the end survives a reopen").isEqualTo(103);
        }
    }

    @Test
    void belowTheEndOnlyWholeSegmentsGo() throws Exception {
        try (PartitionLog log = PartitionLog.open(dir, CONFIG)) {
            append(log, 100);
            long start = log.deleteRecordsBefore(55);
            assertThat(start).isPositive().isLessThanOrEqualTo(55);
            assertThat(log.read(start, 1 << 20).get(0).offset()).isEqualTo(start);
            assertThat(log.nextOffset()).isEqualTo(100);
            assertThatThrownBy(() -> log.deleteRecordsBefore(101))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("offset must be in [0, 100] (the next offset), was 101");
            assertThatThrownBy(() -> log.deleteRecordsBefore(-1)).hasMessageContaining("was -1");
            assertThat(log.startOffset()).as("refused: unchanged").isEqualTo(start);
        }
    }

    /**
     * A stop in the middle (the new empty segment made, some old ones renamed, the rest not yet) leaves
     * whole old segments ahead of the empty one: reopening keeps the end, and the next call deletes them.
     */
    @Test
    void aStopInTheMiddleLeavesOldSegmentsThatReopenWholeAndTheNextCallDeletes() throws Exception {
        Path saved = Files.createDirectories(root.resolve("saved"));
        List<String> old;
        try (PartitionLog log = PartitionLog.open(dir, CONFIG)) {
            append(log, 100);
            log.flush();
            old = files(".log");
            for (String name : old) { // what a stop could leave of each: its log and its index
                for (String file : List.of(name, name.replace(".log", ".index"))) {
                    Files.copy(dir.resolve(file), saved.resolve(file));
                }
            }
            assertThat(log.deleteRecordsBefore(100)).isEqualTo(100);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> files(".deleted").isEmpty());
        // The oldest went first: the newest two were still there (the active one was sealed whole) ...
        for (String name : old.subList(old.size() - 2, old.size())) {
            for (String file : List.of(name, name.replace(".log", ".index"))) {
                Files.copy(saved.resolve(file), dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        // ... and one renamed but not yet unlinked.
        Files.copy(saved.resolve(old.get(0)), dir.resolve(old.get(0) + ".deleted"));
        long firstLeft = Long.parseLong(old.get(old.size() - 2).substring(0, 20));

        try (PartitionLog reopened = PartitionLog.open(dir, CONFIG)) {
            assertThat(reopened.nextOffset()).isEqualTo(100);
            assertThat(reopened.startOffset()).isEqualTo(firstLeft);
            assertThat(reopened.read(firstLeft, 1 << 20).get(0).offset()).isEqualTo(firstLeft);
            assertThat(files(".deleted")).as("deleted by the open").isEmpty();

            assertThat(reopened.deleteRecordsBefore(100)).isEqualTo(100);
            assertThat(reopened.segmentCount()).isEqualTo(1);
        }
        try (PartitionLog reopened = PartitionLog.open(dir, CONFIG)) {
            assertThat(reopened.startOffset()).isEqualTo(100);
            assertThat(reopened.nextOffset()).isEqualTo(100);
        }
    }

    private List<String> files(String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(suffix))
                    .sorted()
                    .toList();
        }
    }
}
