package dev.ordo.log.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ordo.engine.Acknowledgement;
import dev.ordo.engine.Serdes;
import dev.ordo.log.producer.OrdoProducer;
import dev.ordo.log.storage.FsyncPolicy;
import dev.ordo.log.storage.LogConfig;
import dev.ordo.log.storage.PartitionLog;
import dev.ordo.log.storage.Record;
import dev.ordo.log.storage.RecordBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopicAlterTest {

    @TempDir
    Path data;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A topic of small segments (batches up to 1 KiB) whose fsync policy forces only when told. */
    private static TopicSpec smallSegments(int partitions, FsyncPolicy fsync) {
        return new TopicSpec(partitions, new LogConfig(64 << 10, 512, 1024, fsync));
    }

    @Test
    void alteredSettingsAreDescribedStoredAndKeptAcrossARestart() throws Exception {
        TopicChange change = TopicChange.none()
                .fsync(FsyncPolicy.everyBatch())
                .retention(new LogConfig.Retention(1 << 20, Duration.ofHours(2)))
                .segmentBytes(32 << 10);
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("ledger", smallSegments(2, FsyncPolicy.none()));
            TopicSpec after = log.alterTopic("ledger", change);

            assertThat(after.log().fsync()).isEqualTo(FsyncPolicy.everyBatch());
            TopicDescription d = log.describe("ledger");
            assertThat(d.fsync()).isEqualTo("every-batch");
            assertThat(d.log().segmentBytes()).isEqualTo(32 << 10);
            assertThat(d.log().retention()).isEqualTo(new LogConfig.Retention(1 << 20, Duration.ofHours(2)));
            assertThat(log.partition("ledger", 1).config().segmentBytes()).isEqualTo(32 << 10);
            assertThat(log.partition("ledger", 1).syncsEveryBatch()).isTrue();
        }
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            LogConfig reopened = log.describe("ledger").log();
            assertThat(reopened.fsync()).isEqualTo(FsyncPolicy.everyBatch());
            assertThat(reopened.segmentBytes()).isEqualTo(32 << 10);
            assertThat(reopened.retention().maxBytes()).isEqualTo(1 << 20);
            assertThat(reopened.maxBatchBytes()).as("untouched").isEqualTo(1024);
            assertThat(log.partition("ledger", 0).syncsEveryBatch()).isTrue();
        }
    }

    @Test
    void switchingToEveryBatchForcesWhatIsPendingAndEveryLaterAppendBeforeItReturns() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("t", smallSegments(1, FsyncPolicy.none()));
            for (int i = 0; i < 5; i++) {
                log.append("t", b("k"), b("v" + i));
            }
            PartitionLog p = log.partition("t", 0);
            assertThat(p.durableOffset()).as("nothing forced under none").isZero();

            log.alterTopic("t", TopicChange.none().fsync(FsyncPolicy.everyBatch()));

            assertThat(p.durableOffset()).as("what was pending at the switch").isEqualTo(5);
            assertThat(p.readableEnd()).as("readers lose nothing they saw").isEqualTo(5);
            Acknowledgement ack = log.append("t", b("k"), b("v5"));
            assertThat(p.durableOffset()).as("forced before acknowledged").isGreaterThan(ack.offset());
        }
    }

    @Test
    void aProducerOpenedBeforeTheSwitchToEveryBatchForcesItsLaterSendsBeforeAcknowledgingThem() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("t", smallSegments(1, FsyncPolicy.none()));
            try (OrdoProducer<String, String> producer = OrdoProducer.builder(
                            log, "t", Serdes.string(), Serdes.string())
                    .build()) {
                producer.send("k", "before").join();

                log.alterTopic("t", TopicChange.none().fsync(FsyncPolicy.everyBatch()));
                Acknowledgement ack = producer.send("k", "after").join();

                assertThat(log.partition("t", 0).durableOffset())
                        .as("forced before acknowledged")
                        .isGreaterThan(ack.offset());
                assertThat(log.endOffset("t", 0)).as("and readable").isEqualTo(2);
            }
        }
    }

    @Test
    void aSmallerSegmentSizeAppliesFromTheNextRoll() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("t", smallSegments(1, FsyncPolicy.none()));
            PartitionLog p = log.partition("t", 0);
            while (p.sizeInBytes() < 8 << 10) {
                log.append("t", b("k"), new byte[200]);
            }
            assertThat(p.segmentCount()).isEqualTo(1);

            log.alterTopic("t", TopicChange.none().segmentBytes(4 << 10));
            assertThat(p.segmentCount()).as("the active segment is not cut").isEqualTo(1);
            log.append("t", b("k"), new byte[200]);
            assertThat(p.segmentCount()).as("rolled by the next append").isEqualTo(2);
        }
    }

    @Test
    void aTighterRetentionDeletesOldSegmentsAtOnce() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("t", new TopicSpec(1, new LogConfig(2048, 512, 1024, FsyncPolicy.none())));
            PartitionLog p = log.partition("t", 0);
            while (p.segmentCount() < 6) {
                log.append("t", b("k"), new byte[300]);
            }
            assertThat(p.startOffset()).isZero();

            log.alterTopic("t", TopicChange.none().retention(LogConfig.Retention.bytes(4096)));

            assertThat(p.segmentCount()).isLessThan(6);
            assertThat(p.startOffset()).isPositive();
            assertThat(p.sizeInBytes()).isLessThan(4096 + 2048);
        }
    }

    @Test
    void badValuesAreRefusedNamingTheValueAndChangeNothing() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("t", smallSegments(1, FsyncPolicy.none()));
            byte[] stored = Files.readAllBytes(TopicFile.of(data, "t"));

            assertThatThrownBy(() -> log.alterTopic("t", TopicChange.none().segmentBytes(10)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("segmentBytes must be >= the topic's maxBatchBytes 1024, was 10");
            assertThatThrownBy(() -> log.alterTopic(
                            "t",
                            TopicChange.none().fsync(FsyncPolicy.everyBatch()).segmentBytes(-5)))
                    .hasMessageContaining("was -5");
            assertThatThrownBy(
                            () -> log.alterTopic("missing", TopicChange.none().segmentBytes(4096)))
                    .hasMessageContaining("topic 'missing' does not exist");

            assertThat(Files.readAllBytes(TopicFile.of(data, "t"))).isEqualTo(stored);
            assertThat(log.partition("t", 0).syncsEveryBatch())
                    .as("not half applied")
                    .isFalse();
            assertThat(log.describe("t").log().segmentBytes()).isEqualTo(64 << 10);
        }
    }

    @Test
    void producersLoseNothingAndKeepKeyOrderWhileTheTopicIsAlteredRepeatedly() throws Exception {
        List<TopicChange> changes = List.of(
                TopicChange.none().fsync(FsyncPolicy.everyBatch()).segmentBytes(32 << 10),
                TopicChange.none().fsync(FsyncPolicy.none()).segmentBytes(128 << 10),
                TopicChange.none().fsync(FsyncPolicy.interval(Duration.ofMillis(2))),
                TopicChange.none().fsync(FsyncPolicy.everyBatch()).retention(LogConfig.Retention.unlimited()));
        int keys = 16;
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("t", smallSegments(4, FsyncPolicy.none()));
            AtomicBoolean altering = new AtomicBoolean(true);
            AtomicReference<Throwable> unforced = new AtomicReference<>();
            List<CompletableFuture<Acknowledgement>> acks = new ArrayList<>();
            Thread direct = new Thread(() -> appendCheckingForces(log, altering, unforced));
            direct.start();
            try (OrdoProducer<String, String> producer = OrdoProducer.builder(
                            log, "t", Serdes.string(), Serdes.string())
                    .build()) {
                int sent = 0;
                for (int round = 0; round < 40; round++) {
                    for (int i = 0; i < 100; i++, sent++) {
                        acks.add(producer.send("key-" + (sent % keys), String.valueOf(sent / keys)));
                    }
                    log.alterTopic("t", changes.get(round % changes.size()));
                }
                producer.flush();
            }
            altering.set(false);
            direct.join();
            assertThat(unforced.get())
                    .as("an every-batch append acknowledged unforced")
                    .isNull();
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();

            Map<String, List<Integer>> perKey = new HashMap<>();
            for (int partition = 0; partition < 4; partition++) {
                for (Record r : readAll(log, partition)) {
                    String key = new String(r.key(), StandardCharsets.UTF_8);
                    if (key.startsWith("key-")) {
                        perKey.computeIfAbsent(key, k -> new ArrayList<>())
                                .add(Integer.parseInt(new String(r.value(), StandardCharsets.UTF_8)));
                    }
                }
            }
            assertThat(perKey).hasSize(keys);
            for (List<Integer> values : perKey.values()) {
                assertThat(values).as("each key's records, all and in order").hasSize(4000 / keys);
                for (int i = 0; i < values.size(); i++) {
                    assertThat(values.get(i)).isEqualTo(i);
                }
            }
        }
    }

    /**
     * Appends while the topic is altered; an append that started and ended under every-batch must be
     * durable when it returns (written then, it is forced by itself or by the switch).
     */
    private static void appendCheckingForces(EmbeddedLog log, AtomicBoolean altering, AtomicReference<Throwable> bad) {
        try {
            for (int i = 0; i < 5_000 && altering.get(); i++) {
                PartitionLog p = log.partition("t", 0);
                boolean before = p.syncsEveryBatch();
                long offset = p.append(
                        List.of(Record.of(System.currentTimeMillis(), b("direct"), b("x"))), RecordBatch.Producer.NONE);
                if (before && p.syncsEveryBatch() && p.durableOffset() <= offset) {
                    bad.compareAndSet(
                            null,
                            new AssertionError(
                                    "offset " + offset + " acknowledged, durable only to " + p.durableOffset()));
                }
            }
        } catch (Exception e) {
            bad.compareAndSet(null, e);
        }
    }

    private static List<Record> readAll(EmbeddedLog log, int partition) throws Exception {
        List<Record> all = new ArrayList<>();
        long next = log.startOffset("t", partition);
        long end = log.endOffset("t", partition);
        while (next < end) {
            List<Record> read = log.read("t", partition, next, 1 << 20);
            all.addAll(read);
            next = read.get(read.size() - 1).offset() + 1;
        }
        return all;
    }
}
