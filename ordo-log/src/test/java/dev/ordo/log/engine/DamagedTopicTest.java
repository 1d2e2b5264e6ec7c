package dev.ordo.log.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.engine.Ordering;
import dev.ordo.engine.Serdes;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.storage.CorruptLogException;
import dev.ordo.log.storage.SegmentDamage;
import dev.ordo.log.storage.SegmentFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A topic with a flipped bit in the middle of a sealed segment, through the consumer and the
 * offline check and repair.
 */
class DamagedTopicTest {

    private static final int RECORDS = 2_000;

    @TempDir
    Path data;

    private Path first;
    private SegmentFiles.BatchAt damaged;
    private long secondBase;

    @BeforeEach
    void writeATopicAndFlipABitInItsFirstSegment() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("ledger", TopicSpec.partitions(1).segmentBytes(16_384));
            for (int i = 0; i < RECORDS; i++) {
                log.append("ledger", null, ("v" + i).getBytes(StandardCharsets.UTF_8));
            }
        }
        first = data.resolve("ledger-0").resolve("00000000000000000000.log");
        damaged = SegmentFiles.flipARecordBit(first, 0.3);
        secondBase = SegmentFiles.batches(first)
                        .get(SegmentFiles.batches(first).size() - 1)
                        .lastOffset()
                + 1;
    }

    private static List<String> values(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "v" + i).toList();
    }

    @Test
    void aConsumerHandlesEveryRecordBeforeTheDamageAndItsFailureNamesTheDamage() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            List<String> handled = new CopyOnWriteArrayList<>();
            OrdoConsumer<String, String> consumer = OrdoConsumer.builder(
                            log, "ledger", Serdes.string(), Serdes.string())
                    .group("audit")
                    .ordering(Ordering.PARTITION)
                    .handler(r -> handled.add(r.value()))
                    .start();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> consumer.failure().isPresent() && handled.size() >= damaged.baseOffset());
            consumer.close();
            assertThat(handled).isEqualTo(values(0, (int) damaged.baseOffset()));
            assertThat(consumer.failure().get())
                    .isInstanceOf(CorruptLogException.class)
                    .hasMessageStartingWith("topic 'ledger' partition 0: segment " + first + " is damaged at byte "
                            + damaged.position())
                    .hasMessageContaining(
                            "offsets " + damaged.baseOffset() + "-" + (secondBase - 1) + " cannot be read")
                    .hasMessageContaining("'ordo topics repair ledger --data " + data.toAbsolutePath() + "'");
        }
    }

    @Test
    void theCheckFindsTheDamageOfflineAndTheRepairCutsItSoThatAGroupReadsPastIt() throws Exception {
        try (EmbeddedLog open = EmbeddedLog.open(data)) {
            assertThatThrownBy(() -> EmbeddedLog.checkTopic(data, "ledger"))
                    .as("not while the engine has the directory")
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("in use by another Ordo instance");
        }
        SegmentDamage expected =
                new SegmentDamage(first, damaged.position(), "batch CRC mismatch", damaged.baseOffset(), secondBase);
        assertThat(EmbeddedLog.checkTopic(data, "ledger"))
                .singleElement()
                .usingRecursiveComparison()
                .ignoringFields("reason")
                .isEqualTo(expected);
        assertThat(EmbeddedLog.repairTopic(data, "ledger"))
                .singleElement()
                .usingRecursiveComparison()
                .ignoringFields("reason")
                .isEqualTo(expected);
        assertThat(EmbeddedLog.checkTopic(data, "ledger")).isEmpty();
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            List<String> handled = new CopyOnWriteArrayList<>();
            OrdoConsumer<String, String> consumer = OrdoConsumer.builder(
                            log, "ledger", Serdes.string(), Serdes.string())
                    .group("audit")
                    .handler(r -> handled.add(r.value()))
                    .start();
            int expectedCount = RECORDS - (int) (secondBase - damaged.baseOffset());
            await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() == expectedCount);
            consumer.close();
            assertThat(consumer.failure()).isEmpty();
            assertThat(handled.subList(0, (int) damaged.baseOffset())).isEqualTo(values(0, (int) damaged.baseOffset()));
            assertThat(handled.subList((int) damaged.baseOffset(), expectedCount))
                    .isEqualTo(values((int) secondBase, RECORDS));
        }
    }

    @Test
    void aCheckOfATopicThatDoesNotExistNamesTheOnesThatDo() {
        assertThatThrownBy(() -> EmbeddedLog.checkTopic(data, "legder"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topic 'legder' does not exist; existing topics: [ledger]");
        assertThatThrownBy(() -> EmbeddedLog.repairTopic(data.resolve("nope"), "ledger"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("root must be a data directory, was " + data.resolve("nope") + " (no such directory)");
    }
}
