package dev.ordo.log.storage;

import static dev.ordo.log.storage.PartitionLogTest.rec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flipped bit in the middle of a sealed segment, where the index covers it: the open does not look
 * there, a read meets it. Reads deliver everything before it and then name it; a check finds it
 * without changing anything; a repair cuts it as {@link CorruptionPolicy#SKIP} would.
 */
class DamagedSegmentTest {

    private static final LogConfig CONFIG = new LogConfig(16_384, 1_024, 16_384, FsyncPolicy.none());
    private static final int RECORDS = 2_000;

    @TempDir
    Path data;

    private Path dir;
    private Path first;
    private SegmentFiles.BatchAt damaged;
    private long secondBase;

    @BeforeEach
    void writeSegmentsAndFlipABitInTheFirst() throws Exception {
        dir = data.resolve("ledger-0");
        try (PartitionLog log = PartitionLog.open(dir, CONFIG)) {
            for (int i = 0; i < RECORDS; i++) {
                log.append(List.of(rec("v" + i)), RecordBatch.Producer.NONE);
            }
        }
        List<Long> bases = SegmentFileNames.baseOffsets(dir);
        assertThat(bases).hasSizeGreaterThan(3);
        secondBase = bases.get(1);
        first = dir.resolve(SegmentFileNames.fileName(0, ".log"));
        damaged = SegmentFiles.flipARecordBit(first, 0.3);
    }

    private static List<String> values(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "v" + i).toList();
    }

    @Test
    void aReadDeliversEveryRecordBeforeTheDamagedBatchAndTheNextReadNamesTheDamage() throws Exception {
        try (PartitionLog log = PartitionLog.open(dir, CONFIG)) {
            List<String> read = new ArrayList<>();
            long next = 0;
            CorruptLogException failure = null;
            while (failure == null) {
                try {
                    for (Record r : log.read(next, 4_096)) {
                        read.add(PartitionLogTest.valueOf(r));
                        next = r.offset() + 1;
                    }
                } catch (CorruptLogException e) {
                    failure = e;
                }
            }
            assertThat(read).isEqualTo(values(0, (int) damaged.baseOffset()));
            assertThat(failure.damage())
                    .isEqualTo(new SegmentDamage(
                            first, damaged.position(), failure.damage().reason(), damaged.baseOffset(), secondBase));
            assertThat(failure.damage().reason()).startsWith("batch CRC mismatch");
            assertThat(failure)
                    .hasMessageStartingWith("topic 'ledger' partition 0: segment " + first + " is damaged at byte "
                            + damaged.position() + " (batch CRC mismatch")
                    .hasMessageContaining("; offsets " + damaged.baseOffset() + "-" + (secondBase - 1)
                            + " cannot be read (every record before them can). 'ordo topics repair ledger --data "
                            + data.toAbsolutePath() + "' (EmbeddedLog.repairTopic) cuts the segment there");
            long damagedOffset = damaged.baseOffset();
            assertThatThrownBy(() -> log.read(damagedOffset, 1))
                    .as("again at the damage")
                    .isInstanceOf(CorruptLogException.class);
            assertThat(log.read(secondBase, 1))
                    .extracting(PartitionLogTest::valueOf)
                    .containsExactly("v" + secondBase);
        }
    }

    @Test
    void aCheckFindsTheDamageAndChangesNothing() throws Exception {
        Map<Path, byte[]> before = contents();
        List<SegmentDamage> found = PartitionCheck.find(dir);
        assertThat(found).hasSize(1);
        SegmentDamage damage = found.get(0);
        assertThat(damage.segment()).isEqualTo(first);
        assertThat(damage.position()).isEqualTo(damaged.position());
        assertThat(damage.firstOffset()).isEqualTo(damaged.baseOffset());
        assertThat(damage.endOffset()).isEqualTo(secondBase);
        assertThat(damage.partition()).contains(new TopicPartition("ledger", 0));
        assertThat(damage.lostOffsets()).isEqualTo("offsets " + damaged.baseOffset() + "-" + (secondBase - 1));
        Map<Path, byte[]> after = contents();
        assertThat(after.keySet()).isEqualTo(before.keySet());
        after.forEach((file, bytes) -> assertThat(bytes).as("%s", file).isEqualTo(before.get(file)));
    }

    @Test
    void aRepairCutsTheSegmentAtTheDamageAndReadsGoOnPastIt() throws Exception {
        List<SegmentDamage> repaired = PartitionCheck.repair(dir);
        assertThat(repaired).extracting(SegmentDamage::position).containsExactly(damaged.position());
        assertThat(Files.size(first)).isEqualTo(damaged.position());
        assertThat(PartitionCheck.find(dir)).as("nothing left to find").isEmpty();
        List<Long> bases = SegmentFileNames.baseOffsets(dir);
        assertThat(RecoveryPointFile.read(dir)).isEqualTo(bases.get(bases.size() - 1));
        try (PartitionLog log = PartitionLog.open(dir, CONFIG)) {
            assertThat(log.truncatedOnOpen()).as("nothing for the open to cut").isZero();
            List<String> read = new ArrayList<>();
            for (long next = 0; next < log.nextOffset(); ) {
                for (Record r : log.read(next, 4_096)) {
                    read.add(PartitionLogTest.valueOf(r));
                    next = r.offset() + 1;
                }
            }
            List<String> expected = new ArrayList<>(values(0, (int) damaged.baseOffset()));
            expected.addAll(values((int) secondBase, RECORDS));
            assertThat(read).isEqualTo(expected);
            assertThat(log.append(List.of(rec("next")), RecordBatch.Producer.NONE))
                    .isEqualTo(RECORDS);
        }
    }

    @Test
    void aCheckOfTheLastSegmentReportsATornTailAsLostFromTheDamageOn() throws Exception {
        PartitionCheck.repair(dir);
        List<Long> bases = SegmentFileNames.baseOffsets(dir);
        Path last = dir.resolve(SegmentFileNames.fileName(bases.get(bases.size() - 1), ".log"));
        List<SegmentFiles.BatchAt> batches = SegmentFiles.batches(last);
        SegmentFiles.BatchAt torn = batches.get(batches.size() - 1);
        try (RandomAccessFile file = new RandomAccessFile(last.toFile(), "rw")) {
            file.setLength(torn.position() + torn.bytes() - 3);
        }
        assertThat(PartitionCheck.find(dir)).singleElement().satisfies(damage -> {
            assertThat(damage.segment()).isEqualTo(last);
            assertThat(damage.position()).isEqualTo(torn.position());
            assertThat(damage.lostOffsets()).isEqualTo("offsets from " + torn.baseOffset() + " on");
        });
    }

    @Test
    void underPolicySkipTheOpenCutsTheDamageItsScanMeetsAndReadsGoOnPastIt() throws Exception {
        try (PartitionLog log = PartitionLog.open(dir, CONFIG.withCorruption(CorruptionPolicy.SKIP))) {
            assertThat(log.offsetsLostToCorruption()).isEqualTo(secondBase - damaged.baseOffset());
            assertThat(log.read(damaged.baseOffset(), 1))
                    .as("the next record after the cut")
                    .extracting(Record::offset)
                    .containsExactly(secondBase);
        }
        assertThat(Files.size(first)).isEqualTo(damaged.position());
    }

    /** Every file of the partition directory and its bytes. */
    private Map<Path, byte[]> contents() throws Exception {
        Map<Path, byte[]> contents = new HashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                contents.put(file, Files.readAllBytes(file));
            }
        }
        return contents;
    }
}
