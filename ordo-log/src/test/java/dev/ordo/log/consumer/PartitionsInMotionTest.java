package dev.ordo.log.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.check.Anomaly;
import dev.ordo.check.CheckReport;
import dev.ordo.check.History;
import dev.ordo.check.Message;
import dev.ordo.engine.Explanation;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.Serdes;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import dev.ordo.partition.Partitioner;
import dev.ordo.partition.Placement;
import dev.ordo.partition.TopicLayout;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A topic of the embedded engine changes its partition count with producers and a consumer group
 * running ({@link EmbeddedLog#alterPartitions}): nothing is lost, and every key's records are handled in
 * the order they were written, across grow and shrink.
 */
class PartitionsInMotionTest {

    private static final int KEYS = 200;

    @TempDir
    Path data;

    @ParameterizedTest
    @EnumSource(Placement.class)
    void producersAndAGroupOfThreeRunningThroughGrowAndShrinkLoseNothingAndKeepEveryKeysOrder(Placement placement)
            throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("moving", TopicSpec.partitions(4).placement(placement));
            History history = new History();
            AtomicInteger handled = new AtomicInteger();
            List<OrdoConsumer<String, String>> group = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                group.add(member(log, history, handled, true));
            }
            AtomicBoolean producing = new AtomicBoolean(true);
            AtomicInteger sent = new AtomicInteger();
            List<CompletableFuture<Void>> producers = new ArrayList<>();
            for (int id = 0; id < 2; id++) {
                int first = id;
                producers.add(CompletableFuture.runAsync(() -> produce(log, first, history, sent, producing)));
            }
            int[] counts = {8, 16, 6, 3};
            for (int count : counts) {
                int before = sent.get();
                await().atMost(Duration.ofSeconds(30)).until(() -> sent.get() >= before + 3_000);
                TopicLayout layout = log.alterPartitions("moving", count);
                assertThat(layout.partitions()).isEqualTo(count);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> sent.get() >= 15_000);
            producing.set(false);
            CompletableFuture.allOf(producers.toArray(CompletableFuture[]::new)).join();
            await().atMost(Duration.ofSeconds(60)).until(() -> handled.get() >= sent.get());
            for (OrdoConsumer<String, String> member : group) {
                member.close();
            }

            assertThat(log.layout("moving").layouts())
                    .extracting(TopicLayout.Layout::partitions)
                    .containsExactly(4, 8, 16, 6, 3);
            assertThat(log.partitionCount("moving"))
                    .as("retired partitions remain, drained")
                    .isEqualTo(16);
            CheckReport report = history.check();
            assertThat(report.count(Anomaly.LOST)).as(report.summary()).isZero();
            assertThat(report.count(Anomaly.DUPLICATED)).as(report.summary()).isZero();
            assertThat(report.count(Anomaly.REORDERED)).as(report.summary()).isZero();
            assertThat(handled.get()).isEqualTo(sent.get());
        }
    }

    @Test
    void aKeysRecordsAfterAChangeWaitForItsRecordsInThePartitionItLeft() throws Exception {
        CheckReport report = backlogAcrossAChange(true);
        assertThat(report.count(Anomaly.REORDERED)).as(report.summary()).isZero();
        assertThat(report.count(Anomaly.LOST)).as(report.summary()).isZero();
    }

    @Test
    void explainNamesTheFenceAMovedKeysRecordsWaitBehind() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("moving", TopicSpec.partitions(1));
            try (OrdoProducer<String, String> producer = OrdoProducer.builder(
                            log, "moving", Serdes.string(), Serdes.string())
                    .build()) {
                for (int k = 0; k < KEYS; k++) {
                    producer.send("k" + k, "old");
                }
                producer.flush();
                log.alterPartitions("moving", 2);
                for (int k = 0; k < KEYS; k++) {
                    producer.send("k" + k, "new");
                }
            }
            Partitioner placement = log.describe("moving").placement().partitioner();
            String moved = null;
            for (int k = 1; k < KEYS && moved == null; k++) {
                if (placement.partition(("k" + k).getBytes(StandardCharsets.UTF_8), 2) == 1) {
                    moved = "k" + k;
                }
            }
            assertThat(moved).as("some key moves to the new partition").isNotNull();
            AtomicBoolean fixed = new AtomicBoolean();
            try (OrdoConsumer<String, String> consumer = OrdoConsumer.builder(
                            log, "moving", Serdes.string(), Serdes.string())
                    .group("explained")
                    .handler(r -> {
                        if (r.key().equals("k0") && r.value().equals("old") && !fixed.get()) {
                            throw new IllegalStateException("k0 is blocked");
                        }
                    })
                    .start()) {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> consumer.parked().size() == 1);
                String key = moved;
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> consumer.explain(key).reasons().stream()
                                .anyMatch(r -> r.startsWith("partition 1 is fenced")));
                assertThat(consumer.explain(key).toString())
                        .contains("moving-0 below offset", "before the partition count changed");
                Explanation firstMoved = consumer.explain(1, 0);
                assertThat(firstMoved.status()).isEqualTo(Explanation.Status.FENCED);
                assertThat(firstMoved.toString()).contains("moving-1 is fenced", "moving-0 below offset");

                fixed.set(true);
                assertThat(consumer.resume(consumer.parked().get(0))).isTrue();
                assertThat(consumer.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
                assertThat(consumer.explain(key).reasons()).noneMatch(r -> r.contains("fenced"));
            }
        }
    }

    @Test
    void withoutTheFenceAKeysNewRecordsOvertakeItsOldOnes() throws Exception {
        CheckReport report = backlogAcrossAChange(false);
        assertThat(report.count(Anomaly.REORDERED)).as(report.summary()).isPositive();
    }

    /**
     * 40 records of each of 200 keys on 4 partitions, then 7 partitions (most keys move), 40 more each;
     * then a group of three handles the backlog, with or without the fence.
     */
    private CheckReport backlogAcrossAChange(boolean fenced) throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("moving", TopicSpec.partitions(4));
            History history = new History();
            try (OrdoProducer<String, String> producer = OrdoProducer.builder(
                            log, "moving", Serdes.string(), Serdes.string())
                    .build()) {
                for (int round = 0; round < 80; round++) {
                    if (round == 40) {
                        producer.flush();
                        log.alterPartitions("moving", 7);
                    }
                    for (int k = 0; k < KEYS; k++) {
                        String key = "k" + k;
                        history.sent(new Message(key, key, -1, key + ":" + round));
                        producer.send(key, key + ":" + round);
                    }
                }
            }
            AtomicInteger handled = new AtomicInteger();
            List<OrdoConsumer<String, String>> group = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                group.add(member(log, history, handled, fenced));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> handled.get() >= 80 * KEYS);
            for (OrdoConsumer<String, String> member : group) {
                member.close();
            }
            return history.check();
        }
    }

    @Test
    void aGroupThatStartsPastTheOldRecordsByASeekDoesNotWaitForThem() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("moving", TopicSpec.partitions(2));
            writeAcrossAChange(log, 2, 3);
            AtomicInteger handled = new AtomicInteger();
            OrdoConsumer.Builder<String, String> builder = OrdoConsumer.builder(
                            log, "moving", Serdes.string(), Serdes.string())
                    .group("latest")
                    .handler(r -> handled.incrementAndGet());
            for (int p = 0; p < 2; p++) {
                builder.seek(p, log.layout("moving").layouts().get(1).start(p)); // skip the old layout's records
            }
            try (OrdoConsumer<String, String> consumer = builder.start()) {
                await().atMost(Duration.ofSeconds(10)).until(() -> handled.get() >= 20 * KEYS);
            }
            assertThat(handled.get()).as("only what the new layout holds").isEqualTo(20 * KEYS);
        }
    }

    @Test
    void aReplayFromTheStartKeepsEveryKeysOrderAgain() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("moving", TopicSpec.partitions(2));
            History first = writeAcrossAChange(log, 2, 3);
            consumeAll(log, first, Map.of());
            History replay = new History();
            first.sent().forEach(replay::sent);
            consumeAll(log, replay, Map.of(0, 0L, 1, 0L, 2, 0L)); // the same group, from the start

            CheckReport report = replay.check();
            assertThat(report.count(Anomaly.REORDERED)).as(report.summary()).isZero();
            assertThat(report.count(Anomaly.LOST)).as(report.summary()).isZero();
        }
    }

    /** 20 records of each key before a change of the count from {@code from} to {@code to}, 20 after. */
    private static History writeAcrossAChange(EmbeddedLog log, int from, int to) throws Exception {
        History history = new History();
        try (OrdoProducer<String, String> producer = OrdoProducer.builder(
                        log, "moving", Serdes.string(), Serdes.string())
                .build()) {
            for (int round = 0; round < 40; round++) {
                if (round == 20) {
                    producer.flush();
                    log.alterPartitions("moving", to);
                }
                for (int k = 0; k < KEYS; k++) {
                    String key = "k" + k;
                    history.sent(new Message(key, key, -1, key + ":" + round));
                    producer.send(key, key + ":" + round);
                }
            }
        }
        return history;
    }

    private static void consumeAll(EmbeddedLog log, History history, Map<Integer, Long> seeks) {
        AtomicInteger handled = new AtomicInteger();
        OrdoConsumer.Builder<String, String> builder = OrdoConsumer.builder(
                        log, "moving", Serdes.string(), Serdes.string())
                .group("g")
                .ordering(Ordering.KEY)
                .concurrency(4)
                .handler(r -> {
                    history.received(new Message(r.key(), r.key(), -1, r.value()));
                    handled.incrementAndGet();
                });
        seeks.forEach(builder::seek);
        try (OrdoConsumer<String, String> consumer = builder.start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> handled.get() >= 40 * KEYS);
        }
    }

    @Test
    void theShareOfKeysWhoseMemberChangedIsAMeterOfTheGroup() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("moving", TopicSpec.partitions(4));
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            List<OrdoConsumer<String, String>> group = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                group.add(OrdoConsumer.builder(log, "moving", Serdes.string(), Serdes.string())
                        .group("g")
                        .metrics(registry)
                        .handler(r -> {})
                        .start());
            }
            var moved = registry.get("ordo.consumer.keys.moved")
                    .tags("topic", "moving", "group", "g")
                    .gauge();
            assertThat(moved.value()).as("the second member took half the keys").isBetween(0.4, 0.6);
            log.alterPartitions("moving", 8);
            assertThat(moved.value())
                    .as("partition p + 4 took p's keys and p's member")
                    .isLessThan(0.01);
            for (OrdoConsumer<String, String> member : group) {
                member.close();
            }
        }
    }

    @Test
    void theLayoutSurvivesAReopenAndKeysArePlacedByTheNewCount() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("moving", TopicSpec.partitions(4).placement(Placement.JUMP));
            log.append("moving", "a".getBytes(StandardCharsets.UTF_8), new byte[1]);
            log.alterPartitions("moving", 6);
        }
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            TopicLayout layout = log.layout("moving");
            assertThat(layout.layouts())
                    .extracting(TopicLayout.Layout::partitions)
                    .containsExactly(4, 6);
            assertThat(log.partitionCount("moving")).isEqualTo(6);
            byte[] key = "some key".getBytes(StandardCharsets.UTF_8);
            assertThat(log.append("moving", key, new byte[1]).partition())
                    .isEqualTo(Partitioner.jumpHash().partition(key, 6));
        }
    }

    @Test
    void partitionsAChangeCutShortHadAddedAreDeletedOnOpenAndTheOldLayoutStays() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("moving", TopicSpec.partitions(2));
        }
        // A crash after the new partitions' directories were made, before the layout was written.
        Files.createDirectories(data.resolve("moving-2"));
        Files.createDirectories(data.resolve("moving-3"));
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            assertThat(log.partitionCount("moving")).isEqualTo(2);
            assertThat(log.layout("moving").layouts()).hasSize(1);
        }
        assertThat(data.resolve("moving-2")).doesNotExist();
        assertThat(data.resolve("moving-3")).doesNotExist();
    }

    @Test
    void aWrongCountOrAProducerWithItsOwnPartitionerIsRefusedAndTheTopicStays() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("moving", TopicSpec.partitions(4));
            assertThatThrownBy(() -> log.alterPartitions("moving", 4))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the topic already has 4 partitions");
            assertThatThrownBy(() -> log.alterPartitions("moving", 0))
                    .hasMessage("partitions must be in [1, 10000], was 0");
            try (OrdoProducer<String, String> own = OrdoProducer.builder(
                            log, "moving", Serdes.string(), Serdes.string())
                    .partitioner(Partitioner.kafkaDefault())
                    .build()) {
                assertThatThrownBy(() -> log.alterPartitions("moving", 8))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("places keys by a partitioner of its own");
            }
            assertThat(log.layout("moving").layouts()).hasSize(1);
            assertThat(log.alterPartitions("moving", 8).partitions())
                    .as("once it closed")
                    .isEqualTo(8);
        }
    }

    private static void produce(EmbeddedLog log, int id, History history, AtomicInteger sent, AtomicBoolean producing) {
        try (OrdoProducer<String, String> producer = OrdoProducer.builder(
                        log, "moving", Serdes.string(), Serdes.string())
                .name("writer-" + id)
                .build()) {
            for (int round = 0; producing.get(); round++) {
                for (int k = id; k < KEYS; k += 2) { // each key has one writer: its order is the writer's
                    String key = "k" + k;
                    synchronized (history) {
                        history.sent(new Message(key, key, -1, key + ":" + round));
                    }
                    producer.send(key, key + ":" + round);
                    sent.incrementAndGet();
                }
            }
        }
    }

    private static OrdoConsumer<String, String> member(
            EmbeddedLog log, History history, AtomicInteger handled, boolean fenced) {
        return OrdoConsumer.builder(log, "moving", Serdes.string(), Serdes.string())
                .group("g")
                .ordering(Ordering.KEY)
                .concurrency(4)
                .fenceLayoutChanges(fenced)
                .handler(r -> {
                    synchronized (history) {
                        history.received(new Message(r.key(), r.key(), -1, r.value()));
                    }
                    handled.incrementAndGet();
                })
                .start();
    }
}
