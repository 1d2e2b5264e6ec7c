package dev.ordo.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ordo.check.Anomaly;
import dev.ordo.check.CheckReport;
import dev.ordo.check.History;
import dev.ordo.check.Message;
import dev.ordo.engine.Acknowledgement;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.OrdoRecord;
import dev.ordo.engine.Serdes;
import dev.ordo.exec.Retry;
import dev.ordo.partition.Partitioner;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The ordered consumer against a real broker (KRaft, in a child JVM); what concerns group membership
 * runs under both consumer group protocols, classic and KIP-848's.
 */
class KafkaOrdoConsumerTest {

    private static String bootstrap() {
        return KafkaBroker.bootstrapServers();
    }

    /**
     * Sends {@code count} records from {@code first} over {@code keys} keys, recording the sends in
     * {@code history}.
     */
    private static List<CompletableFuture<Acknowledgement>> produce(
            String topic, int first, int count, int keys, History history) {
        List<CompletableFuture<Acknowledgement>> acks = new ArrayList<>();
        try (KafkaOrdoProducer<String, String> producer = KafkaOrdoProducer.builder(
                        bootstrap(), topic, Serdes.string(), Serdes.string())
                .build()) {
            for (int i = first; i < first + count; i++) {
                String key = "k" + (i % keys);
                synchronized (history) {
                    history.sent(new Message(key, key, -1, String.valueOf(i)));
                }
                acks.add(producer.send(key, String.valueOf(i)));
            }
            producer.flush();
        }
        return acks;
    }

    /** Records a handled record; the lock keeps the order of handling across threads and members as it happened. */
    private static void received(History history, OrdoRecord<String, String> r) {
        synchronized (history) {
            history.received(new Message(r.key(), r.key(), -1, r.value()));
        }
    }

    private static KafkaOrdoConsumer.Builder<String, String> consumer(
            String topic, String group, GroupProtocol protocol, History history, AtomicInteger handled) {
        return KafkaOrdoConsumer.builder(bootstrap(), topic, Serdes.string(), Serdes.string())
                .group(group)
                .groupProtocol(protocol)
                .concurrency(8)
                .handler(r -> {
                    received(history, r);
                    handled.incrementAndGet();
                });
    }

    private static void assertCleanExceptDuplicates(History history, long allowedDuplicates) {
        CheckReport report = history.check();
        assertThat(report.count(Anomaly.LOST)).as(report.summary()).isZero();
        assertThat(report.count(Anomaly.REORDERED)).as(report.summary()).isZero();
        assertThat(report.count(Anomaly.UNEXPECTED)).as(report.summary()).isZero();
        assertThat(report.count(Anomaly.DUPLICATED)).as(report.summary()).isLessThanOrEqualTo(allowedDuplicates);
    }

    @Test
    void keyModeRunsKeysInParallelKeepsEachKeysOrderAndCommitsTheEnd() throws Exception {
        String topic = "key-mode";
        KafkaBroker.createTopic(topic, 3);
        History history = new History();
        List<CompletableFuture<Acknowledgement>> acks = produce(topic, 0, 3_000, 100, history);
        Partitioner ordo = Partitioner.kafkaDefault();
        for (int i = 0; i < acks.size(); i++) {
            assertThat(acks.get(i).join().partition())
                    .as("Kafka and Ordo place a key alike")
                    .isEqualTo(ordo.partition(("k" + (i % 100)).getBytes(StandardCharsets.UTF_8), 3));
        }
        // The first records of k0 and k1 wait for each other: only handlers running at once get past.
        CyclicBarrier together = new CyclicBarrier(2);
        AtomicBoolean met = new AtomicBoolean();
        AtomicInteger handled = new AtomicInteger();
        KafkaOrdoConsumer<String, String> consumer = KafkaOrdoConsumer.builder(
                        bootstrap(), topic, Serdes.string(), Serdes.string())
                .group("g1")
                .ordering(Ordering.KEY)
                .concurrency(8)
                .handler(r -> {
                    if ((r.value().equals("0") || r.value().equals("1")) && !met.get()) {
                        try {
                            together.await(20, TimeUnit.SECONDS);
                            met.set(true);
                        } catch (Exception e) {
                            throw new IllegalStateException("k0 and k1 were not handled in parallel", e);
                        }
                    }
                    received(history, r);
                    handled.incrementAndGet();
                })
                .start();
        await().atMost(Duration.ofSeconds(40)).until(() -> handled.get() >= 3_000);
        consumer.close();
        assertThat(met).as("two keys ran at the same time").isTrue();
        assertCleanExceptDuplicates(history, 0);
        Map<Integer, Long> ends = KafkaBroker.endOffsets(topic, 3);
        for (int p = 0; p < 3; p++) {
            assertThat(consumer.committedOffset(p))
                    .as("partition %d committed to its end", p)
                    .isEqualTo(ends.get(p));
        }
    }

    @Test
    void lagMetersShowWhatIsNotHandledYetAndFallToZero() throws Exception {
        String topic = "lag";
        KafkaBroker.createTopic(topic, 2);
        History history = new History();
        produce(topic, 0, 400, 20, history);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger handled = new AtomicInteger();
        KafkaOrdoConsumer<String, String> consumer = KafkaOrdoConsumer.builder(
                        bootstrap(), topic, Serdes.string(), Serdes.string())
                .group("g-lag")
                .ordering(Ordering.KEY)
                .concurrency(2)
                .metrics(registry)
                .handler(r -> {
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    handled.incrementAndGet();
                })
                .start();
        // Stuck handlers: nothing is committed, so the lag is every record of the partition.
        await().atMost(Duration.ofSeconds(30)).until(() -> totalLag(registry, "ordo.consumer.lag") == 400);
        assertThat(consumer.lag().records()).isEqualTo(400);
        assertThat(totalLag(registry, "ordo.consumer.fetch.lag"))
                .as("all fetched")
                .isZero();
        release.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> totalLag(registry, "ordo.consumer.lag") == 0);
        assertThat(handled.get()).isEqualTo(400);
        assertThat(registry.find("ordo.consumer.paused").tag("group", "g-lag").gauge())
                .isNotNull();
        assertThat(registry.find("ordo.consumer.fence.waits")
                        .tag("topic", topic)
                        .functionCounter()
                        .count())
                .isZero();
        consumer.close();
    }

    private static double totalLag(MeterRegistry registry, String name) {
        var gauges = registry.find(name).tag("group", "g-lag").gauges();
        return gauges.size() < 2
                ? -1
                : gauges.stream().mapToDouble(Gauge::value).sum();
    }

    @ParameterizedTest
    @EnumSource(GroupProtocol.class)
    void aMemberStartingAtTheEndCommitsItsPositionWithoutHandlingAnything(GroupProtocol protocol) throws Exception {
        String topic = "idle-latest-" + protocol;
        KafkaBroker.createTopic(topic, 2);
        produce(topic, 0, 100, 10, new History());
        AtomicInteger handled = new AtomicInteger();
        KafkaOrdoConsumer<String, String> consumer = KafkaOrdoConsumer.builder(
                        bootstrap(), topic, Serdes.string(), Serdes.string())
                .group("g-latest-" + protocol)
                .groupProtocol(protocol)
                .property("auto.offset.reset", "latest")
                .handler(r -> handled.incrementAndGet())
                .start();
        Map<Integer, Long> ends = KafkaBroker.endOffsets(topic, 2);
        // Its commits are what records fenced behind these partitions after a growth wait for.
        await().atMost(Duration.ofSeconds(30))
                .until(() -> consumer.committedOffset(0) == ends.get(0) && consumer.committedOffset(1) == ends.get(1));
        consumer.close();
        assertThat(handled.get()).isZero();
    }

    @ParameterizedTest
    @EnumSource(GroupProtocol.class)
    void aRestartedConsumerResumesAfterItsCommitWithoutLossOrRepeats(GroupProtocol protocol) throws Exception {
        String topic = "restart-" + protocol;
        KafkaBroker.createTopic(topic, 3);
        History history = new History();
        AtomicInteger handled = new AtomicInteger();
        produce(topic, 0, 1_000, 20, history);
        KafkaOrdoConsumer<String, String> first = consumer(topic, "g2-" + protocol, protocol, history, handled)
                .ordering(Ordering.PARTITION)
                .start();
        await().atMost(Duration.ofSeconds(40)).until(() -> handled.get() >= 1_000);
        first.close();
        produce(topic, 1_000, 1_000, 20, history);
        KafkaOrdoConsumer<String, String> second = consumer(topic, "g2-" + protocol, protocol, history, handled)
                .ordering(Ordering.KEY)
                .start();
        await().atMost(Duration.ofSeconds(40)).until(() -> handled.get() >= 2_000);
        second.close();
        assertThat(handled.get()).isEqualTo(2_000);
        assertCleanExceptDuplicates(history, 0);
    }

    @Test
    void slowHandlersPauseThePartitionsInsteadOfPilingUpOrLeavingTheGroup() throws Exception {
        String topic = "backpressure";
        KafkaBroker.createTopic(topic, 2);
        History history = new History();
        produce(topic, 0, 500, 50, history);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger handled = new AtomicInteger();
        KafkaOrdoConsumer<String, String> consumer = KafkaOrdoConsumer.builder(
                        bootstrap(), topic, Serdes.string(), Serdes.string())
                .group("g3")
                .ordering(Ordering.KEY)
                .concurrency(4)
                .maxInFlight(20)
                .handler(r -> {
                    try {
                        release.await(30, TimeUnit.SECONDS); // the handlers are stuck until the test lets go
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    received(history, r);
                    handled.incrementAndGet();
                })
                .start();
        await().atMost(Duration.ofSeconds(30)).until(consumer::paused);
        // Paused, it takes no more than one poll's worth beyond the limit.
        assertThat(consumer.stats().inFlight()).isBetween(20L, 20L + 500);
        release.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> handled.get() >= 500);
        consumer.close();
        assertCleanExceptDuplicates(history, 0);
    }

    @ParameterizedTest
    @EnumSource(GroupProtocol.class)
    void membersJoiningAndLeavingMidStreamHandOverCleanly(GroupProtocol protocol) throws Exception {
        String topic = "rebalance-" + protocol;
        KafkaBroker.createTopic(topic, 6);
        History history = new History();
        AtomicInteger handled = new AtomicInteger();
        KafkaOrdoConsumer<String, String> a = consumer(topic, "g4-" + protocol, protocol, history, handled)
                .ordering(Ordering.KEY)
                .start();
        CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> {
            for (int batch = 0; batch < 10; batch++) {
                produce(topic, batch * 300, 300, 40, history);
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> handled.get() >= 600);
        KafkaOrdoConsumer<String, String> b = consumer(topic, "g4-" + protocol, protocol, history, handled)
                .ordering(Ordering.KEY)
                .start();
        await().atMost(Duration.ofSeconds(30)).until(() -> handled.get() >= 1_500);
        a.close(); // b takes over a's partitions from a's last commit
        producing.get(60, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(40)).until(() -> handled.get() >= 3_000);
        b.close();
        // Hand-overs drain and commit first, so nothing is handled twice and keys stay in order across members.
        assertCleanExceptDuplicates(history, 0);
    }

    @ParameterizedTest
    @EnumSource(GroupProtocol.class)
    void afterACrashTheNextOwnerSkipsWhatWasHandledBeyondTheCommit(GroupProtocol protocol) throws Exception {
        String topic = "completed-offsets-" + protocol;
        KafkaBroker.createTopic(topic, 1);
        History history = new History();
        produce(topic, 0, 100, 10, history); // k0 has offsets 0, 10, 20, ...
        CountDownLatch stuck = new CountDownLatch(1);
        AtomicInteger handledByFirst = new AtomicInteger();
        KafkaOrdoConsumer<String, String> first = KafkaOrdoConsumer.builder(
                        bootstrap(), topic, Serdes.string(), Serdes.string())
                .group("g5-" + protocol)
                .groupProtocol(protocol)
                .ordering(Ordering.KEY)
                .concurrency(4)
                .commitInterval(Duration.ofMillis(20))
                .handler(r -> {
                    if (r.offset() == 0) {
                        try {
                            stuck.await(60, TimeUnit.SECONDS); // k0's first record never finishes before the crash
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return;
                    }
                    handledByFirst.incrementAndGet();
                })
                .start();
        // Every key but k0 is done: 90 records, all beyond the commit point (offset 0 is unfinished).
        await().atMost(Duration.ofSeconds(30))
                .until(() -> handledByFirst.get() == 90
                        && CompletedOffsets.decode(0, first.committedMetadata(0))
                                        .size()
                                == 90);
        assertThat(first.committedOffset(0)).isZero();
        first.crashForTest();

        List<Long> handledBySecond = new CopyOnWriteArrayList<>();
        KafkaOrdoConsumer<String, String> second = KafkaOrdoConsumer.builder(
                        bootstrap(), topic, Serdes.string(), Serdes.string())
                .group("g5-" + protocol)
                .groupProtocol(protocol)
                .ordering(Ordering.KEY)
                .handler(r -> handledBySecond.add(r.offset()))
                .start();
        await().atMost(Duration.ofSeconds(30)).until(() -> second.committedOffset(0) == 100);
        second.close();
        stuck.countDown();
        assertThat(handledBySecond)
                .as("only k0's records, which the crash left unfinished")
                .containsExactly(0L, 10L, 20L, 30L, 40L, 50L, 60L, 70L, 80L, 90L);
        assertThat(second.stats().alreadyHandled()).isEqualTo(90);
    }

    @Test
    void aRecordThatKeepsFailingIsRetriedWithItsKeyBlockedThenParkedInTheDeadLetterTopic() throws Exception {
        String topic = "failing";
        KafkaBroker.createTopic(topic, 2);
        KafkaBroker.createTopic(topic + ".dlq", 1);
        History history = new History();
        produce(topic, 0, 200, 10, history);
        AtomicInteger attemptsOf13 = new AtomicInteger();
        List<Integer> k3AfterFailure = new CopyOnWriteArrayList<>();
        AtomicInteger done = new AtomicInteger();
        KafkaOrdoConsumer<String, String> consumer = KafkaOrdoConsumer.builder(
                        bootstrap(), topic, Serdes.string(), Serdes.string())
                .group("g6")
                .ordering(Ordering.KEY)
                .retry(Retry.exponential(3, Duration.ofMillis(1), Duration.ofMillis(5)))
                .deadLetter(topic + ".dlq", true)
                .handler(r -> {
                    if (r.value().equals("13")) {
                        attemptsOf13.incrementAndGet();
                        throw new IllegalStateException("cannot apply 13");
                    }
                    if (r.key().equals("k3") && Integer.parseInt(r.value()) > 13) {
                        k3AfterFailure.add(Integer.parseInt(r.value()));
                    }
                    done.incrementAndGet();
                })
                .start();
        await().atMost(Duration.ofSeconds(30)).until(() -> done.get() == 199);
        consumer.close();
        assertThat(attemptsOf13.get()).isEqualTo(3);
        assertThat(k3AfterFailure)
                .as("k3 went on after 13 was parked, in order")
                .startsWith(23, 33)
                .isSorted();

        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap());
        props.put("group.id", "dlq-reader");
        props.put("auto.offset.reset", "earliest");
        try (KafkaConsumer<byte[], byte[]> reader =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            reader.subscribe(List.of(topic + ".dlq"));
            List<ConsumerRecord<byte[], byte[]>> parked = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                reader.poll(Duration.ofMillis(100)).forEach(parked::add);
                return !parked.isEmpty();
            });
            assertThat(parked).hasSize(1);
            ConsumerRecord<byte[], byte[]> r = parked.get(0);
            assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("13");
            assertThat(new String(r.headers().lastHeader("ordo.error").value(), StandardCharsets.UTF_8))
                    .contains("cannot apply 13");
            assertThat(new String(r.headers().lastHeader("ordo.origin.topic").value(), StandardCharsets.UTF_8))
                    .isEqualTo(topic);
        }
    }
}
