package dev.ordo.log.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.exec.Retry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
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
            OrdoConsumer consumer = OrdoConsumer.builder(log, "ledger").group("balances").ordering(Ordering.KEY).concurrency(8)
                    .handler(r -> {
                        perKey.computeIfAbsent(r.keyAsString(), k -> new CopyOnWriteArrayList<>()).add(Integer.parseInt(r.valueAsString()));
                        handled.incrementAndGet();
                    })
                    .start();
            await().atMost(Duration.ofSeconds(20)).until(() -> handled.get() == 1_000);
            consumer.close();
            perKey.values().forEach(values -> assertThat(values).isSorted().hasSize(50));
            for (int p = 0; p < 4; p++) {
                assertThat(consumer.committedOffset(p)).isEqualTo(log.describe("ledger").partitions().get(p).nextOffset());
            }
        }
    }

    @Test
    void aRestartedGroupResumesAfterItsCommittedOffsetsAndSeesOnlyNewRecords() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("ledger", TopicSpec.partitions(2));
            produce(log, 0, 100);
            AtomicInteger first = new AtomicInteger();
            OrdoConsumer consumer = OrdoConsumer.builder(log, "ledger").group("g").handler(r -> first.incrementAndGet()).start();
            await().atMost(Duration.ofSeconds(20)).until(() -> first.get() == 100);
            consumer.close();
        }
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            produce(log, 100, 130);
            List<Integer> second = new CopyOnWriteArrayList<>();
            OrdoConsumer consumer = OrdoConsumer.builder(log, "ledger").group("g")
                    .handler(r -> second.add(Integer.parseInt(r.valueAsString()))).start();
            await().atMost(Duration.ofSeconds(20)).until(() -> second.size() == 30);
            consumer.close();
            assertThat(second).allMatch(v -> v >= 100).doesNotHaveDuplicates();
        }
    }

    @Test
    void aPoisonRecordIsRetriedThenDeadLetteredWithItsErrorAndTheRestGoesOn() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("ledger", TopicSpec.partitions(1));
            produce(log, 0, 10);
            AtomicInteger poisonTries = new AtomicInteger();
            List<Integer> done = new CopyOnWriteArrayList<>();
            OrdoConsumer consumer = OrdoConsumer.builder(log, "ledger").group("g").ordering(Ordering.PARTITION)
                    .retry(Retry.exponential(3, Duration.ofMillis(1), Duration.ofMillis(2))).deadLetter("ledger.dlq")
                    .handler(r -> {
                        if (r.valueAsString().equals("4")) {
                            poisonTries.incrementAndGet();
                            throw new IllegalStateException("cannot apply 4");
                        }
                        done.add(Integer.parseInt(r.valueAsString()));
                    })
                    .start();
            await().atMost(Duration.ofSeconds(20)).until(() -> done.size() == 9 && consumer.committedOffset(0) == 10);
            consumer.close();
            assertThat(done).containsExactly(0, 1, 2, 3, 5, 6, 7, 8, 9);
            assertThat(poisonTries.get()).isEqualTo(3);
            var parked = log.read("ledger.dlq", 0, 0, 1 << 20);
            assertThat(parked).hasSize(1);
            assertThat(new String(parked.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("4");
            assertThat(parked.get(0).headers()).anySatisfy(h -> {
                assertThat(h.key()).isEqualTo("ordo.error");
                assertThat(new String(h.value(), StandardCharsets.UTF_8)).contains("cannot apply 4");
            });
        }
    }

    @Test
    void partitionOrderingHandlesEachPartitionInOffsetOrder() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("ledger", TopicSpec.partitions(3));
            produce(log, 0, 300);
            Map<Integer, List<Long>> perPartition = new ConcurrentHashMap<>();
            AtomicInteger handled = new AtomicInteger();
            OrdoConsumer consumer = OrdoConsumer.builder(log, "ledger").group("g").ordering(Ordering.PARTITION).concurrency(4)
                    .handler(r -> {
                        perPartition.computeIfAbsent(r.partition(), p -> new CopyOnWriteArrayList<>()).add(r.record().offset());
                        handled.incrementAndGet();
                    })
                    .start();
            await().atMost(Duration.ofSeconds(20)).until(() -> handled.get() == 300);
            consumer.close();
            perPartition.values().forEach(offsets -> assertThat(offsets).isSorted().doesNotHaveDuplicates());
        }
    }

    @Test
    void consumerLagIsMeteredPerPartition() throws Exception {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("ledger", TopicSpec.partitions(1));
            produce(log, 0, 40);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            AtomicInteger handled = new AtomicInteger();
            OrdoConsumer consumer = OrdoConsumer.builder(log, "ledger").group("g").ordering(Ordering.PARTITION).metrics(registry)
                    .handler(r -> {
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        handled.incrementAndGet();
                    })
                    .start();
            var lag = registry.get("ordo.consumer.lag").tags("topic", "ledger", "partition", "0", "group", "g").gauge();
            assertThat(lag.value()).as("nothing handled, nothing committed").isEqualTo(40);
            release.countDown();
            await().atMost(Duration.ofSeconds(20)).until(() -> lag.value() == 0);
            consumer.close();
            assertThat(handled.get()).isEqualTo(40);
        }
    }

    @Test
    void badConfigurationIsRefused() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("ledger", TopicSpec.partitions(1));
            assertThatThrownBy(() -> OrdoConsumer.builder(log, "ledger").group("bad group"))
                    .hasMessage("group must be 1-200 characters of [a-zA-Z0-9._-], was 'bad group'");
            assertThatThrownBy(() -> OrdoConsumer.builder(log, "ledger").group("g").start())
                    .hasMessage("group and handler must be set before start()");
            assertThatThrownBy(() -> OrdoConsumer.builder(log, "missing").group("g").handler(r -> { }).start())
                    .hasMessageContaining("topic 'missing' does not exist");
        }
    }
}
