package dev.ordo.log.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.engine.Ordering;
import dev.ordo.engine.Serdes;
import dev.ordo.exec.Retry;
import dev.ordo.log.engine.ClientAccess;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import dev.ordo.log.storage.CorruptLogException;
import dev.ordo.log.storage.FsyncPolicy;
import dev.ordo.log.storage.LogConfig;
import dev.ordo.partition.Partitioner;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrdoConsumerTest {

    @TempDir
    Path data;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void produce(EmbeddedLog log, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            log.append("ledger", b("ACC-" + (i % 20)), b(String.valueOf(i)));
        }
    }

    @Test
    void keyOrderingRunsKeysInParallelAndEachKeyInLogOrderThenCommitsEverything() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("ledger", TopicSpec.partitions(4));
            produce(log, 0, 1_000);
            Map<String, List<Integer>> perKey = new ConcurrentHashMap<>();
            AtomicInteger handled = new AtomicInteger();
            OrdoConsumer<String, String> consumer = OrdoConsumer.builder(
                            log, "ledger", Serdes.string(), Serdes.string())
                    .group("balances")
                    .ordering(Ordering.KEY)
                    .concurrency(8)
                    .handler(r -> {
                        perKey.computeIfAbsent(r.key(), k -> new CopyOnWriteArrayList<>())
                                .add(Integer.parseInt(r.value()));
                        handled.incrementAndGet();
                    })
                    .start();
            await().atMost(Duration.ofSeconds(20)).until(() -> handled.get() == 1_000);
            consumer.close();
            perKey.values().forEach(values -> assertThat(values).isSorted().hasSize(50));
            for (int p = 0; p < 4; p++) {
                assertThat(consumer.committedOffset(p))
                        .isEqualTo(log.describe("ledger").partitions().get(p).nextOffset());
            }
        }
    }

    @Test
    void aRestartedGroupResumesAfterItsCommittedOffsetsAndSeesOnlyNewRecords() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("ledger", TopicSpec.partitions(2));
            produce(log, 0, 100);
            AtomicInteger first = new AtomicInteger();
            OrdoConsumer<String, String> consumer = OrdoConsumer.builder(
                            log, "ledger", Serdes.string(), Serdes.string())
                    .group("g")
                    .handler(r -> first.incrementAndGet())
                    .start();
            await().atMost(Duration.ofSeconds(20)).until(() -> first.get() == 100);
            consumer.close();
        }
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            produce(log, 100, 130);
            List<Integer> second = new CopyOnWriteArrayList<>();
            OrdoConsumer<String, String> consumer = OrdoConsumer.builder(
                            log, "ledger", Serdes.string(), Serdes.string())
                    .group("g")
                    .handler(r -> second.add(Integer.parseInt(r.value())))
                    .start();
            await().atMost(Duration.ofSeconds(20)).until(() -> second.size() == 30);
            consumer.close();
            assertThat(second).allMatch(v -> v >= 100).doesNotHaveDuplicates();
        }
    }

    @Test
    void aFailingPeriodicCommitIsRetriedWhileConsumptionGoesOn() throws Exception {
        // Periodic commits are written by a committer thread: one that fails (here the temporary
        // file cannot be created) is logged and retried, and the fetcher never waits for it. When
        // the fetcher wrote the commits itself, the first failure stopped the consumer.
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("ledger", TopicSpec.partitions(1));
            Path blocker = data.resolve("groups").resolve("g.ledger.offsets.tmp");
            Files.createDirectories(blocker);
            produce(log, 0, 100);
            List<Integer> handled = new CopyOnWriteArrayList<>();
            OrdoConsumer<String, String> consumer = OrdoConsumer.builder(
                            log, "ledger", Serdes.string(), Serdes.string())
                    .group("g")
                    .commitInterval(Duration.ofMillis(2))
                    .handler(r -> handled.add(Integer.parseInt(r.value())))
                    .start();
            await().atMost(Duration.ofSeconds(20)).until(() -> handled.size() == 100);
            produce(log, 100, 200); // fetched while the commits keep failing
            await().atMost(Duration.ofSeconds(20)).until(() -> handled.size() == 200);
            assertThat(consumer.committedOffset(0))
                    .as("nothing could be committed yet")
                    .isZero();
            Files.delete(blocker);
            await().atMost(Duration.ofSeconds(20)).until(() -> consumer.committedOffset(0) == 200);
            consumer.close();
            assertThat(handled).hasSize(200).doesNotHaveDuplicates();
        }
    }

    @Test
    void aPoisonRecordIsRetriedThenDeadLetteredWithItsErrorAndTheRestGoesOn() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("ledger", TopicSpec.partitions(1));
            produce(log, 0, 10);
            AtomicInteger poisonTries = new AtomicInteger();
            List<Integer> done = new CopyOnWriteArrayList<>();
            OrdoConsumer<String, String> consumer = OrdoConsumer.builder(
                            log, "ledger", Serdes.string(), Serdes.string())
                    .group("g")
                    .ordering(Ordering.PARTITION)
                    .retry(Retry.exponential(3, Duration.ofMillis(1), Duration.ofMillis(2)))
                    .deadLetter("ledger.dlq", true)
                    .handler(r -> {
                        if (r.value().equals("4")) {
                            poisonTries.incrementAndGet();
                            throw new IllegalStateException("cannot apply 4");
                        }
                        done.add(Integer.parseInt(r.value()));
                    })
                    .start();
            await().atMost(Duration.ofSeconds(20)).until(() -> done.size() == 9 && consumer.committedOffset(0) == 10);
            consumer.close();
            assertThat(done).containsExactly(0, 1, 2, 3, 5, 6, 7, 8, 9);
            assertThat(poisonTries.get()).isEqualTo(3);
            var parked = log.read("ledger.dlq", 0, 0, 1 << 20);
            assertThat(parked).hasSize(1);
            assertThat(new String(parked.get(0).value(), StandardCharsets.UTF_8))
                    .isEqualTo("4");
            assertThat(parked.get(0).headers()).anySatisfy(h -> {
                assertThat(h.key()).isEqualTo("ordo.error");
                assertThat(new String(h.value(), StandardCharsets.UTF_8)).contains("cannot apply 4");
            });
        }
    }

    @Test
    void partitionOrderingHandlesEachPartitionInOffsetOrder() throws Exception {
        assertEachPartitionHandledInOffsetOrder(
                3, 300, b -> b.ordering(Ordering.PARTITION).concurrency(4));
    }

    /**
     * Produces {@code records} records, consumes them with the builder as configured, checks offset
     * order per partition.
     */
    private void assertEachPartitionHandledInOffsetOrder(
            int partitions, int records, UnaryOperator<OrdoConsumer.Builder<String, String>> configure)
            throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("ledger", TopicSpec.partitions(partitions));
            produce(log, 0, records);
            Map<Integer, List<Long>> perPartition = new ConcurrentHashMap<>();
            AtomicInteger handled = new AtomicInteger();
            OrdoConsumer<String, String> consumer = configure
                    .apply(OrdoConsumer.builder(log, "ledger", Serdes.string(), Serdes.string())
                            .group("g"))
                    .handler(r -> {
                        perPartition
                                .computeIfAbsent(r.partition(), p -> new CopyOnWriteArrayList<>())
                                .add(r.offset());
                        handled.incrementAndGet();
                    })
                    .start();
            await().atMost(Duration.ofSeconds(20)).until(() -> handled.get() == records);
            consumer.close();
            assertThat(perPartition).hasSize(partitions);
            perPartition
                    .values()
                    .forEach(offsets -> assertThat(offsets).isSorted().doesNotHaveDuplicates());
        }
    }

    @Test
    void aPartitionWithALargeBacklogDoesNotFillTheInFlightBudgetWhileAnotherWaits() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("ledger", TopicSpec.partitions(2));
            byte[][] keyOf = new byte[2][];
            for (int i = 0; keyOf[0] == null || keyOf[1] == null; i++) {
                byte[] key = b("ACC-" + i);
                keyOf[Partitioner.kafkaDefault().partition(key, 2)] = key;
            }
            for (int i = 0; i < 500; i++) {
                log.append("ledger", keyOf[0], b("backlog-" + i));
            }
            for (int i = 0; i < 5; i++) {
                log.append("ledger", keyOf[1], b("other-" + i));
            }
            // Partition 0's first handler waits for a record of partition 1. A fetcher that dispatched
            // partition 0's whole backlog first would fill maxInFlight with it and never get there.
            CountDownLatch otherHandled = new CountDownLatch(1);
            AtomicBoolean starved = new AtomicBoolean();
            AtomicInteger handled = new AtomicInteger();
            OrdoConsumer<String, String> consumer = OrdoConsumer.builder(
                            log, "ledger", Serdes.string(), Serdes.string())
                    .group("g")
                    .ordering(Ordering.PARTITION)
                    .concurrency(2)
                    .maxInFlight(10)
                    .handler(r -> {
                        if (r.partition() == 1) {
                            otherHandled.countDown();
                        } else {
                            try {
                                if (!otherHandled.await(10, TimeUnit.SECONDS)) {
                                    starved.set(true);
                                    otherHandled.countDown();
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                        handled.incrementAndGet();
                    })
                    .start();
            await().atMost(Duration.ofSeconds(40)).until(() -> handled.get() == 505);
            consumer.close();
            assertThat(starved)
                    .as("partition 1 waited behind partition 0's backlog")
                    .isFalse();
        }
    }

    @Test
    void aConsumerWithOneRecordInFlightStillHandlesEverythingInOrder() throws Exception {
        assertEachPartitionHandledInOffsetOrder(
                2, 200, b -> b.ordering(Ordering.KEY).maxInFlight(1));
    }

    @Test
    void consumerLagIsMeteredPerPartition() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("ledger", TopicSpec.partitions(1));
            produce(log, 0, 40);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger handled = new AtomicInteger();
            OrdoConsumer<String, String> consumer = OrdoConsumer.builder(
                            log, "ledger", Serdes.string(), Serdes.string())
                    .group("g")
                    .ordering(Ordering.PARTITION)
                    .metrics(registry)
                    .handler(r -> {
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        handled.incrementAndGet();
                    })
                    .start();
            var lag = registry.get("ordo.consumer.lag")
                    .tags("topic", "ledger", "partition", "0", "group", "g")
                    .gauge();
            assertThat(lag.value()).as("nothing handled, nothing committed").isEqualTo(40);
            release.countDown();
            await().atMost(Duration.ofSeconds(20)).until(() -> lag.value() == 0);
            assertThat(registry.get("ordo.consumer.handler.seconds")
                            .tags("topic", "ledger", "partition", "0", "group", "g")
                            .functionCounter()
                            .count())
                    .as("the first record waited in its handler")
                    .isPositive();
            consumer.close();
            assertThat(handled.get()).isEqualTo(40);
        }
    }

    @Test
    void badConfigurationIsRefused() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("ledger", TopicSpec.partitions(1));
            assertThatThrownBy(() -> OrdoConsumer.builder(log, "ledger", Serdes.string(), Serdes.string())
                            .group(" "))
                    .hasMessage("group must be 1-200 characters of [a-zA-Z0-9._-], was ' '");
            // The embedded engine names a file after the group; Kafka's consumers take the same rule.
            assertThatThrownBy(() -> OrdoConsumer.builder(log, "ledger", Serdes.string(), Serdes.string())
                            .group("bad/group"))
                    .hasMessage("group must be 1-200 characters of [a-zA-Z0-9._-], was 'bad/group'");
            assertThatThrownBy(() -> OrdoConsumer.builder(log, "ledger", Serdes.string(), Serdes.string())
                            .group("g")
                            .handler(r -> {})
                            .deadLetter("ledger.dlq")
                            .start())
                    .as("a typo must not become a topic")
                    .hasMessage(
                            "deadLetter topic 'ledger.dlq' does not exist; create it, or use deadLetter(topic, true)"
                                    + " to have the consumer create it");
            assertThat(log.listTopics()).containsExactly("ledger");
            assertThatThrownBy(() -> OrdoConsumer.builder(log, "ledger", Serdes.string(), Serdes.string())
                            .group("g")
                            .start())
                    .hasMessage("handler must be set before start()");
            assertThatThrownBy(() -> OrdoConsumer.builder(log, "missing", Serdes.string(), Serdes.string())
                            .group("g")
                            .handler(r -> {})
                            .start())
                    .hasMessageContaining("topic 'missing' does not exist");
        }
    }

    @Test
    void seekReplaysFromAnOffsetOrFromATimeAndRefusesOffsetsPastTheEnd() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("ledger", TopicSpec.partitions(1));
            produce(log, 0, 50);
            long middle = System.currentTimeMillis() + 1;
            await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() > middle);
            produce(log, 50, 80);
            long fromTime = log.offsetForTime("ledger", 0, middle);
            assertThat(fromTime).isEqualTo(50);

            List<Integer> replayed = new CopyOnWriteArrayList<>();
            OrdoConsumer<String, String> byOffset = OrdoConsumer.builder(
                            log, "ledger", Serdes.string(), Serdes.string())
                    .group("replay")
                    .ordering(Ordering.PARTITION)
                    .seek(0, 70)
                    .handler(r -> replayed.add(Integer.parseInt(r.value())))
                    .start();
            await().atMost(Duration.ofSeconds(10)).until(() -> replayed.size() == 10);
            byOffset.close();
            assertThat(replayed).containsExactly(70, 71, 72, 73, 74, 75, 76, 77, 78, 79);

            replayed.clear();
            OrdoConsumer<String, String> byTime = OrdoConsumer.builder(log, "ledger", Serdes.string(), Serdes.string())
                    .group("replay")
                    .ordering(Ordering.PARTITION)
                    .seekToTime(Instant.ofEpochMilli(middle))
                    .handler(r -> replayed.add(Integer.parseInt(r.value())))
                    .start();
            await().atMost(Duration.ofSeconds(10)).until(() -> replayed.size() == 30);
            byTime.close();
            assertThat(replayed.get(0)).isEqualTo(50);
            assertThat(replayed).isSorted();

            assertThatThrownBy(() -> OrdoConsumer.builder(log, "ledger", Serdes.string(), Serdes.string())
                            .group("g")
                            .seek(0, 81)
                            .handler(r -> {})
                            .start())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("end offset 80, was 81");
            assertThatThrownBy(() -> OrdoConsumer.builder(log, "ledger", Serdes.string(), Serdes.string())
                            .group("g")
                            .seek(0, -1))
                    .hasMessageContaining("offset must be >= 0, was -1");
        }
    }

    @Test
    void aGroupBehindRetentionContinuesAtTheNewStartOfTheLog() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic(
                    "ledger", TopicSpec.partitions(1).segmentBytes(1_024).retention(LogConfig.Retention.bytes(2_048)));
            produce(log, 0, 200);
            long start = log.startOffset("ledger", 0);
            assertThat(start).isPositive();
            List<Integer> seen = new CopyOnWriteArrayList<>();
            OrdoConsumer<String, String> consumer = OrdoConsumer.builder(
                            log, "ledger", Serdes.string(), Serdes.string())
                    .group("late")
                    .ordering(Ordering.PARTITION)
                    .handler(r -> seen.add(Integer.parseInt(r.value())))
                    .start();
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 200 - start);
            consumer.close();
            assertThat(seen.get(0)).isEqualTo((int) start);
            assertThat(consumer.committedOffset(0)).isEqualTo(200);
        }
    }

    @Test
    void aGroupReadingWhileRetentionDeletesSegmentsUnderItKeepsOrderAndNeverStops() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            // Segments of ~10 records and two of them kept: retention removes segments while the fetcher
            // reads them (their files closed and renamed under the read) and moves the start past its position.
            log.createTopic(
                    "ledger", TopicSpec.partitions(1).segmentBytes(1_024).retention(LogConfig.Retention.bytes(2_048)));
            List<Integer> seen = new CopyOnWriteArrayList<>();
            // Four records in flight at most: the group falls behind the producer, into segments retention removes.
            OrdoConsumer<String, String> consumer = OrdoConsumer.builder(
                            log, "ledger", Serdes.string(), Serdes.string())
                    .group("racing")
                    .ordering(Ordering.PARTITION)
                    .maxInFlight(4)
                    .handler(r -> seen.add(Integer.parseInt(r.value())))
                    .start();
            int total = 20_000;
            produce(log, 0, total);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> consumer.committedOffset(0) == total
                            || consumer.failure().isPresent());
            consumer.close();
            assertThat(consumer.failure()).isEmpty();
            assertThat(seen).isNotEmpty().isSorted().doesNotHaveDuplicates();
            assertThat(seen.size())
                    .as("records deleted before the group read them: it fell behind retention")
                    .isLessThan(total);
            assertThat(seen.get(seen.size() - 1)).isEqualTo(total - 1);
            assertThat(log.startOffset("ledger", 0))
                    .as("retention ran throughout")
                    .isGreaterThan(total / 2);
        }
    }

    /** The state of the exactly-once test: the values applied per key. */
    public static final class AppliedValues {
        public ConcurrentHashMap<String, List<Integer>> perKey = new ConcurrentHashMap<>();

        void add(String key, int value) {
            perKey.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(value);
        }

        /** A committed state of these values in {@code file} (restored from it if it exists). */
        static JsonSnapshotState<AppliedValues> stateIn(Path file) {
            return new JsonSnapshotState<>(file, AppliedValues.class, AppliedValues::new);
        }
    }

    @Test
    void aCommittedStateRestartsWithTheOffsetsCommittedWithItAndIgnoresTheGroupFile() throws Exception {
        Path snapshot = data.resolve("applied.json");
        try (EmbeddedLog log = EmbeddedLog.open(data.resolve("log"))) {
            log.createTopic("ledger", TopicSpec.partitions(3));
            produce(log, 0, 300);
            JsonSnapshotState<AppliedValues> state = AppliedValues.stateIn(snapshot);
            AtomicInteger handled = new AtomicInteger();
            OrdoConsumer<String, String> first = OrdoConsumer.builder(log, "ledger", Serdes.string(), Serdes.string())
                    .group("g")
                    .ordering(Ordering.KEY)
                    .concurrency(4)
                    .committedState(state)
                    .commitInterval(Duration.ofMillis(5))
                    .handler(r -> {
                        state.value().add(r.key(), Integer.parseInt(r.value()));
                        handled.incrementAndGet();
                    })
                    .start();
            await().atMost(Duration.ofSeconds(10)).until(() -> handled.get() == 300);
            first.close();
            produce(log, 300, 400);

            JsonSnapshotState<AppliedValues> restored = AppliedValues.stateIn(snapshot);
            AtomicInteger more = new AtomicInteger();
            OrdoConsumer<String, String> second = OrdoConsumer.builder(log, "ledger", Serdes.string(), Serdes.string())
                    .group("g")
                    .ordering(Ordering.KEY)
                    .committedState(restored)
                    .handler(r -> {
                        restored.value().add(r.key(), Integer.parseInt(r.value()));
                        more.incrementAndGet();
                    })
                    .start();
            await().atMost(Duration.ofSeconds(10)).until(() -> more.get() == 100);
            second.close();
            assertThat(restored.value().perKey).hasSize(20);
            restored.value()
                    .perKey
                    .forEach((key, values) -> assertThat(values)
                            .as(key)
                            .isSorted()
                            .doesNotHaveDuplicates()
                            .hasSize(20));
            // The group's file says only that its offsets are kept in the state (so nothing it needs is deleted).
            assertThat(Files.readString(data.resolve("log").resolve("groups").resolve("g.ledger.offsets")))
                    .contains("\"inState\":true")
                    .contains("\"offsets\":{}");
        }
    }

    /**
     * On a topic that forces every batch a handler sees a record only once it is on disk, so a power
     * loss cannot take back what a group handled and committed past. The producer appends a round of
     * batches, then forces them: before readers were held to the forced end, a fetcher awake meanwhile
     * handed records that were only in the page cache to the handlers (three runs of three).
     */
    @Test
    void onAnEveryBatchTopicHandlersSeeOnlyForcedRecords() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("ledger", TopicSpec.partitions(4).fsync(FsyncPolicy.everyBatch()));
            List<String> early = new CopyOnWriteArrayList<>();
            AtomicInteger handled = new AtomicInteger();
            OrdoConsumer<String, String> consumer = OrdoConsumer.builder(
                            log, "ledger", Serdes.string(), Serdes.string())
                    .group("g")
                    .handler(r -> {
                        if (ClientAccess.partition(log, "ledger", r.partition()).durableOffset() <= r.offset()) {
                            early.add(r.partition() + "@" + r.offset());
                        }
                        handled.incrementAndGet();
                    })
                    .start();
            try (OrdoProducer<String, String> producer = OrdoProducer.builder(
                            log, "ledger", Serdes.string(), Serdes.string())
                    .build()) {
                for (int i = 0; i < 20_000; i++) {
                    producer.send("ACC-" + (i % 50), String.valueOf(i));
                }
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> handled.get() == 20_000);
            consumer.close();
            assertThat(early).as("records handled before they were forced").isEmpty();
        }
    }

    /**
     * A group whose committed offset lies past the log's end (records it handled were lost, as in a
     * power loss before a force under the fsync policy none) goes on at the end: before, it waited at
     * its committed offset and skipped the records appended since at the lost offsets.
     */
    @Test
    void aGroupCommittedPastTheEndOfTheLogGoesOnAtTheEnd() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("ledger", TopicSpec.partitions(1));
            produce(log, 0, 3);
        }
        Files.createDirectories(data.resolve("groups"));
        Files.writeString(data.resolve("groups").resolve("g.ledger.offsets"), "{\"0\":50}");
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            List<Long> offsets = new CopyOnWriteArrayList<>();
            OrdoConsumer<String, String> consumer = OrdoConsumer.builder(
                            log, "ledger", Serdes.string(), Serdes.string())
                    .group("g")
                    .handler(r -> offsets.add(r.offset()))
                    .start();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> consumer.assignment().size() == 1);
            produce(log, 3, 5);
            await().atMost(Duration.ofSeconds(20)).until(() -> offsets.size() == 2);
            consumer.close();
            assertThat(offsets).containsExactlyInAnyOrder(3L, 4L); // (two keys, handled in parallel)
            assertThat(consumer.committedOffset(0)).isEqualTo(5);
        }
    }

    /**
     * The same with a committed state: its offsets lie past the end once the log lost records the state
     * includes; reading on from them would skip the records appended since at those offsets.
     */
    @Test
    void aCommittedStatePastTheEndOfTheLogGoesOnAtTheEnd() throws Exception {
        Path snapshot = data.resolve("applied.json");
        try (EmbeddedLog log = EmbeddedLog.open(data.resolve("log"))) {
            log.createTopic("ledger", TopicSpec.partitions(1));
            produce(log, 0, 20);
            JsonSnapshotState<AppliedValues> state = AppliedValues.stateIn(snapshot);
            OrdoConsumer<String, String> first = OrdoConsumer.builder(log, "ledger", Serdes.string(), Serdes.string())
                    .group("g")
                    .committedState(state)
                    .handler(r -> state.value().add(r.key(), Integer.parseInt(r.value())))
                    .start();
            await().atMost(Duration.ofSeconds(10)).until(() -> first.committedOffset(0) == 20);
            first.close();
            // The log loses its tail (as a power loss would, records written but not forced): it ends at 3.
            log.deleteTopic("ledger");
            log.createTopic("ledger", TopicSpec.partitions(1));
            produce(log, 100, 103);

            JsonSnapshotState<AppliedValues> restored = AppliedValues.stateIn(snapshot);
            List<Long> offsets = new CopyOnWriteArrayList<>();
            OrdoConsumer<String, String> second = OrdoConsumer.builder(log, "ledger", Serdes.string(), Serdes.string())
                    .group("g")
                    .committedState(restored)
                    .handler(r -> offsets.add(r.offset()))
                    .start();
            produce(log, 103, 108);
            await().atMost(Duration.ofSeconds(20)).until(() -> offsets.size() == 5);
            second.close();
            assertThat(offsets).containsExactlyInAnyOrder(3L, 4L, 5L, 6L, 7L);
            assertThat(second.committedOffset(0)).isEqualTo(8);
        }
    }

    /**
     * Damage that appears after the log was opened is found when a record is read (its CRC): the
     * consumer handles the records before it, then stops fetching and says why, instead of only logging it.
     */
    @Test
    void aConsumerThatMeetsADamagedRecordStopsAndSaysWhy() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("ledger", TopicSpec.partitions(1));
            produce(log, 0, 20);
            Path segment = data.resolve("ledger-0").resolve("00000000000000000000.log");
            try (FileChannel file = FileChannel.open(segment, StandardOpenOption.WRITE)) {
                file.write(ByteBuffer.wrap(new byte[] {(byte) 0xFF, 0x00, 0x7F}), 70); // inside the first batch
            }
            AtomicInteger handled = new AtomicInteger();
            OrdoConsumer<String, String> consumer = OrdoConsumer.builder(
                            log, "ledger", Serdes.string(), Serdes.string())
                    .group("g")
                    .handler(r -> handled.incrementAndGet())
                    .start();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> consumer.failure().isPresent());
            consumer.close();
            assertThat(consumer.failure().get())
                    .isInstanceOf(CorruptLogException.class)
                    .hasMessageContaining("CRC");
            assertThat(handled.get()).as("the record before the damaged batch").isOne();
        }
    }

    @Test
    void aGroupWithTheLongestNameOnATopicWithTheLongestNameCommitsAndResumes() throws Exception {
        String topic = "t".repeat(249);
        String group = "g".repeat(200);
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic(topic, TopicSpec.partitions(1));
            try (OrdoProducer<String, String> producer = OrdoProducer.builder(
                            log, topic, Serdes.string(), Serdes.string())
                    .build()) {
                producer.send("k", "1").join();
            }
            AtomicInteger handled = new AtomicInteger();
            try (OrdoConsumer<String, String> consumer = OrdoConsumer.builder(
                            log, topic, Serdes.string(), Serdes.string())
                    .group(group)
                    .handler(r -> handled.incrementAndGet())
                    .start()) {
                assertThat(consumer.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            }
            try (OrdoConsumer<String, String> again = OrdoConsumer.builder(log, topic, Serdes.string(), Serdes.string())
                    .group(group)
                    .handler(r -> handled.incrementAndGet())
                    .start()) {
                assertThat(again.committedOffset(0))
                        .as("resumed from the commit")
                        .isEqualTo(1);
                assertThat(again.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            }
            assertThat(handled.get()).isEqualTo(1);
        }
    }

    @Test
    void aConsumerWhoseLogClosedUnderItReportsItsLagAsNotKnownAndKeepsItsFigures() throws Exception {
        EmbeddedLog log = EmbeddedLog.open(data);
        log.createTopic("ledger", TopicSpec.partitions(2));
        produce(log, 0, 100);
        OrdoConsumer<String, String> consumer = OrdoConsumer.builder(log, "ledger", Serdes.string(), Serdes.string())
                .group("balances")
                .handler(r -> {})
                .start();
        try {
            consumer.awaitCaughtUp(Duration.ofSeconds(20));
            assertThat(consumer.lag().records()).isZero();

            log.close(); // the application closed its engine first; an operator's view still asks

            assertThat(log.isClosed()).isTrue();
            assertThat(consumer.lag().records()).isEqualTo(-1);
            assertThat(consumer.stats().handled()).isEqualTo(100);
        } finally {
            consumer.close();
        }
    }
}
