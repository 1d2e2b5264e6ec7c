package dev.ordo.engine.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.DeadLetterRedrive;
import dev.ordo.engine.Deserializer;
import dev.ordo.engine.Explanation;
import dev.ordo.engine.Headers;
import dev.ordo.engine.KeyInFlight;
import dev.ordo.engine.OnFailure;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.OrdoHeaders;
import dev.ordo.engine.OrdoRecord;
import dev.ordo.engine.OutgoingRecord;
import dev.ordo.engine.ParkedRecord;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.exec.KeyInProgress;
import dev.ordo.exec.Retry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/**
 * What every engine's consumer does, whatever the engine: one suite, run against the embedded log and
 * against Kafka by a subclass each (as the JDK's collection TCK runs against every collection). A
 * behaviour that differs between engines fails here.
 */
public abstract class ConsumerContract {

    private static final AtomicInteger TOPICS = new AtomicInteger();
    protected static final Duration WAIT = Duration.ofSeconds(30);

    private final List<AutoCloseable> open = new ArrayList<>();

    /** A new topic of {@code partitions} partitions, named after {@code name} and unique for the run. */
    protected abstract String createTopic(String name, int partitions) throws Exception;

    /** A producer of text keys and values to {@code topic}. */
    protected abstract RecordProducer<String, String> producer(String topic);

    /** A producer of raw keys and values to {@code topic}. */
    protected abstract RecordProducer<byte[], byte[]> bytesProducer(String topic);

    /** A consumer builder of {@code topic} with these deserializers. */
    protected abstract <K, V> ConsumerBuilder<?, K, V> consumer(
            String topic, Deserializer<K> keys, Deserializer<V> values);

    /** Every record of {@code topic} (all partitions), for what a dead-letter topic received. */
    protected abstract List<StoredRecord> readAll(String topic) throws Exception;

    /** Whether {@code topic} exists. */
    protected abstract boolean exists(String topic) throws Exception;

    /** A record as read back from a topic. */
    public record StoredRecord(String key, String value, Headers headers) {}

    /** A topic name unique for the run. */
    protected static String uniqueName(String name) {
        return "contract-" + name + "-" + TOPICS.incrementAndGet();
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable c : List.copyOf(open)) {
            c.close();
        }
    }

    protected <T extends AutoCloseable> T closeLater(T closeable) {
        open.add(0, closeable);
        return closeable;
    }

    protected ConsumerBuilder<?, String, String> textConsumer(String topic) {
        return consumer(topic, Serdes.string(), Serdes.string());
    }

    /** Sends {@code count} records over {@code keys} keys: key {@code k<i % keys>}, value {@code i}. */
    protected void produce(String topic, int from, int count, int keys) {
        try (RecordProducer<String, String> producer = producer(topic)) {
            for (int i = from; i < from + count; i++) {
                producer.send("k" + (i % keys), Integer.toString(i));
            }
            producer.flush();
        }
    }

    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    void virtualThreadsAreRefusedBeforeJava21NamingTheRunningVersion() {
        ConsumerBuilder<?, String, String> builder = textConsumer(uniqueName("virtual"));

        assertThatThrownBy(builder::virtualThreads)
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessage("virtualThreads() needs Java 21 or newer, running on "
                        + Runtime.version().feature());
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void onVirtualThreadsKeyOrderingHandlesEveryRecordOnceAndEachKeyInOrder() throws Exception {
        String topic = createTopic("virtual-key-order", 3);
        produce(topic, 0, 600, 12);
        Map<String, List<Integer>> perKey = new ConcurrentHashMap<>();
        AtomicInteger onPlatformThreads = new AtomicInteger();
        RecordConsumer consumer = closeLater(textConsumer(topic)
                .group(uniqueName("g"))
                .concurrency(64)
                .virtualThreads()
                .handler(r -> {
                    if (!(boolean) Thread.class.getMethod("isVirtual").invoke(Thread.currentThread())) {
                        onPlatformThreads.incrementAndGet();
                    }
                    perKey.computeIfAbsent(r.key(), k -> new CopyOnWriteArrayList<>())
                            .add(Integer.parseInt(r.value()));
                })
                .start());
        assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
        assertThat(onPlatformThreads).hasValue(0);
        assertThat(perKey).hasSize(12);
        perKey.values().forEach(values -> assertThat(values).hasSize(50).isSorted());
    }

    @Test
    void keyOrderingHandlesEveryRecordOnceAndEachKeyInOrderAcrossConcurrentHandlers() throws Exception {
        String topic = createTopic("key-order", 3);
        produce(topic, 0, 3_000, 30);
        Map<String, List<Integer>> perKey = new ConcurrentHashMap<>();
        AtomicInteger overlap = new AtomicInteger();
        Map<String, AtomicInteger> active = new ConcurrentHashMap<>();
        RecordConsumer consumer = closeLater(textConsumer(topic)
                .group(uniqueName("g"))
                .ordering(Ordering.KEY)
                .concurrency(8)
                .handler(r -> {
                    int running = active.computeIfAbsent(r.key(), k -> new AtomicInteger())
                            .incrementAndGet();
                    overlap.accumulateAndGet(running, Math::max);
                    perKey.computeIfAbsent(r.key(), k -> new CopyOnWriteArrayList<>())
                            .add(Integer.parseInt(r.value()));
                    active.get(r.key()).decrementAndGet();
                })
                .start());
        assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
        assertThat(perKey).hasSize(30);
        perKey.values().forEach(values -> assertThat(values).hasSize(100).isSorted());
        assertThat(overlap.get()).as("one record of a key at a time").isEqualTo(1);
        assertThat(consumer.stats().handled()).isEqualTo(3_000);
    }

    @Test
    void partitionOrderingHandlesEachPartitionInOffsetOrder() throws Exception {
        String topic = createTopic("partition-order", 2);
        produce(topic, 0, 1_000, 50);
        Map<Integer, List<Long>> perPartition = new ConcurrentHashMap<>();
        RecordConsumer consumer = closeLater(textConsumer(topic)
                .group(uniqueName("g"))
                .ordering(Ordering.PARTITION)
                .concurrency(4)
                .handler(r -> perPartition
                        .computeIfAbsent(r.partition(), p -> new CopyOnWriteArrayList<>())
                        .add(r.offset()))
                .start());
        assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
        assertThat(perPartition.values().stream().mapToInt(List::size).sum()).isEqualTo(1_000);
        perPartition.values().forEach(offsets -> assertThat(offsets).isSorted().doesNotHaveDuplicates());
    }

    @Test
    void commutativeRecordsRunBesideTheirKeysOtherRecordsWhichKeepTheirOrder() throws Exception {
        String topic = createTopic("commutative", 1);
        Headers deposit = Headers.empty().with("op", "deposit");
        try (RecordProducer<String, String> producer = producer(topic)) {
            for (int i = 0; i < 20; i++) {
                producer.send(
                        i % 2 == 0
                                ? OutgoingRecord.of("ACC-1", "withdraw " + i)
                                : OutgoingRecord.of("ACC-1", "deposit " + i).withHeaders(deposit));
            }
            producer.flush();
        }
        CountDownLatch deposits = new CountDownLatch(10);
        AtomicBoolean depositsRanDuringTheFirstWithdrawal = new AtomicBoolean();
        List<Integer> withdrawals = new CopyOnWriteArrayList<>();
        RecordConsumer consumer = closeLater(textConsumer(topic)
                .group(uniqueName("g"))
                .concurrency(4)
                .commutative(headers -> "deposit".equals(headers.lastString("op")))
                .handler(r -> {
                    int n = Integer.parseInt(r.value().substring(r.value().indexOf(' ') + 1));
                    if (r.value().startsWith("deposit")) {
                        deposits.countDown();
                        return;
                    }
                    if (n == 0) {
                        depositsRanDuringTheFirstWithdrawal.set(deposits.await(WAIT.toSeconds(), TimeUnit.SECONDS));
                    }
                    withdrawals.add(n);
                })
                .start());
        assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
        assertThat(depositsRanDuringTheFirstWithdrawal)
                .as("the key's deposits did not wait for the withdrawal before them")
                .isTrue();
        assertThat(withdrawals).containsExactly(0, 2, 4, 6, 8, 10, 12, 14, 16, 18);
        assertThat(consumer.stats().handled()).isEqualTo(20);
    }

    @Test
    void aFailingRecordIsRetriedWithItsKeyBlockedAndHandledOnce() throws Exception {
        String topic = createTopic("retry", 1);
        produce(topic, 0, 20, 2);
        AtomicInteger tries = new AtomicInteger();
        List<Integer> k0 = new CopyOnWriteArrayList<>();
        RecordConsumer consumer = closeLater(textConsumer(topic)
                .group(uniqueName("g"))
                .retry(Retry.exponential(3, Duration.ofMillis(1), Duration.ofMillis(5)))
                .handler(r -> {
                    if (r.value().equals("4") && tries.incrementAndGet() < 3) {
                        throw new IllegalStateException("flaky");
                    }
                    if (r.key().equals("k0")) {
                        k0.add(Integer.parseInt(r.value()));
                    }
                })
                .start());
        assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
        assertThat(tries.get()).isEqualTo(3);
        assertThat(k0).containsExactly(0, 2, 4, 6, 8, 10, 12, 14, 16, 18);
        assertThat(consumer.stats().retries()).isEqualTo(2);
        assertThat(consumer.parked()).isEmpty();
    }

    @Test
    void byDefaultARecordThatKeepsFailingParksItsKeyWhileOtherKeysGoOnUntilResumed() throws Exception {
        String topic = createTopic("park", 1);
        produce(topic, 0, 40, 4);
        AtomicBoolean fixed = new AtomicBoolean();
        List<Integer> k1 = new CopyOnWriteArrayList<>();
        AtomicInteger others = new AtomicInteger();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RecordConsumer consumer = closeLater(textConsumer(topic)
                .group(uniqueName("g"))
                .metrics(registry)
                .handler(r -> {
                    if (r.value().equals("5") && !fixed.get()) {
                        throw new IllegalStateException("account 1 is locked");
                    }
                    if (r.key().equals("k1")) {
                        k1.add(Integer.parseInt(r.value()));
                    } else {
                        others.incrementAndGet();
                    }
                })
                .start());
        await().atMost(WAIT).until(() -> others.get() == 30 && consumer.parked().size() == 1);
        ParkedRecord parked = consumer.parked().get(0);
        assertThat(parked.topic()).isEqualTo(topic);
        assertThat(parked.offset()).isEqualTo(5);
        assertThat(parked.key()).isEqualTo("k1");
        assertThat(parked.error()).hasMessage("account 1 is locked");
        assertThat(k1).as("the key stops at the failing record").containsExactly(1);
        assertThat(consumer.lag().records())
                .as("nothing is counted handled past it")
                .isEqualTo(35);
        assertThat(consumer.stats().parkedKeys()).isEqualTo(1);
        assertThat(consumer.stats().skipped()).isZero();
        assertThat(registry.get("ordo.consumer.parked.keys").gauge().value()).isEqualTo(1);
        Explanation why = consumer.explain("k1");
        assertThat(why.status()).isEqualTo(Explanation.Status.PARKED);
        assertThat(why.head().offset()).isEqualTo(5);
        assertThat(why.head().waitingBehind()).isEqualTo(8);
        assertThat(why.toString()).contains("account 1 is locked", "resume or skip");
        assertThat(registry.get("ordo.consumer.handler.time").timer().count())
                .as("every attempt timed")
                .isGreaterThanOrEqualTo(31);
        assertThat(registry.get("ordo.consumer.wait").timer().count()).isGreaterThanOrEqualTo(31);

        fixed.set(true);
        assertThat(consumer.resume(parked)).isTrue();
        assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
        assertThat(k1).containsExactly(1, 5, 9, 13, 17, 21, 25, 29, 33, 37);
        assertThat(consumer.parked()).isEmpty();
    }

    @Test
    void aStuckKeyIsListedOldestFirstAndExplainedWhileOtherKeysGoOn() throws Exception {
        String topic = createTopic("stuck", 1);
        produce(topic, 0, 40, 4);
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger others = new AtomicInteger();
        RecordConsumer consumer = closeLater(textConsumer(topic)
                .group(uniqueName("g"))
                .concurrency(4)
                .handler(r -> {
                    if (r.value().equals("6")) {
                        blocked.countDown();
                        release.await();
                    } else if (!r.key().equals("k2")) {
                        others.incrementAndGet();
                    }
                })
                .start());
        assertThat(blocked.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        await().atMost(WAIT).until(() -> others.get() == 30);

        List<KeyInFlight> busy = consumer.keysInFlight();
        assertThat(busy).hasSize(1);
        KeyInFlight stuck = busy.get(0);
        assertThat(stuck.key()).isEqualTo("k2");
        assertThat(stuck.offset()).isEqualTo(6);
        assertThat(stuck.state()).isEqualTo(KeyInProgress.State.RUNNING);
        assertThat(stuck.waitingBehind())
                .as("k2's later records wait behind it")
                .isEqualTo(8);
        Explanation why = consumer.explain("k2");
        assertThat(why.status()).isEqualTo(Explanation.Status.RUNNING);
        assertThat(why.reasons().get(0)).contains(topic + "-0@6", "being handled");
        assertThat(consumer.explain("k0").status()).isEqualTo(Explanation.Status.NOT_IN_FLIGHT);

        release.countDown();
        assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
        // A snapshot: the last record's key leaves the list a moment after the record counts as handled.
        await().atMost(WAIT).until(() -> consumer.keysInFlight().isEmpty());
    }

    @Test
    void skippingAParkedRecordIsAnExplicitDecisionAndItsKeyGoesOn() throws Exception {
        String topic = createTopic("skip", 1);
        produce(topic, 0, 12, 3);
        List<Integer> k2 = new CopyOnWriteArrayList<>();
        RecordConsumer consumer = closeLater(textConsumer(topic)
                .group(uniqueName("g"))
                .handler(r -> {
                    if (r.value().equals("2")) {
                        throw new IllegalStateException("poison");
                    }
                    if (r.key().equals("k2")) {
                        k2.add(Integer.parseInt(r.value()));
                    }
                })
                .start());
        await().atMost(WAIT).until(() -> consumer.parked().size() == 1);
        assertThat(consumer.skip(consumer.parked().get(0), "operator: value 2 is known garbage"))
                .isTrue();
        assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
        assertThat(k2).containsExactly(5, 8, 11);
        assertThat(consumer.stats().skipped()).isEqualTo(1);
        assertThat(consumer.stats().deadLettered()).isZero();
    }

    @Test
    void theCommitNeverPassesAParkedRecordSoARestartHandlesItAgainFirst() throws Exception {
        String topic = createTopic("commit", 1);
        produce(topic, 0, 30, 3);
        String group = uniqueName("g");
        AtomicInteger others = new AtomicInteger();
        RecordConsumer first = textConsumer(topic)
                .group(group)
                .commitInterval(Duration.ofMillis(10))
                .handler(r -> {
                    if (r.value().equals("4")) {
                        throw new IllegalStateException("down");
                    }
                    if (!r.key().equals("k1")) {
                        others.incrementAndGet();
                    }
                })
                .start();
        await().atMost(WAIT).until(() -> others.get() == 20 && first.parked().size() == 1);
        first.close();

        List<Integer> k1AfterRestart = new CopyOnWriteArrayList<>();
        RecordConsumer second = closeLater(textConsumer(topic)
                .group(group)
                .handler(r -> {
                    if (r.key().equals("k1")) {
                        k1AfterRestart.add(Integer.parseInt(r.value()));
                    }
                })
                .start());
        assertThat(second.awaitCaughtUp(WAIT)).isTrue();
        assertThat(k1AfterRestart).containsExactly(4, 7, 10, 13, 16, 19, 22, 25, 28);
    }

    @Test
    void deadLetteredRecordsCarryTheErrorTheAttemptsAndWhereTheyCameFrom() throws Exception {
        String topic = createTopic("dlq", 1);
        String deadLetters = createTopic("dlq-target", 1);
        try (RecordProducer<String, String> producer = producer(topic)) {
            producer.send("a", "ok");
            producer.send(
                    OutgoingRecord.of("a", "bad").withHeaders(Headers.empty().with("trace", "t-7")));
            producer.send("a", "after");
            producer.flush();
        }
        List<String> handled = new CopyOnWriteArrayList<>();
        RecordConsumer consumer = closeLater(textConsumer(topic)
                .group(uniqueName("g"))
                .retry(Retry.exponential(2, Duration.ofMillis(1), Duration.ofMillis(1)))
                .deadLetter(deadLetters)
                .handler(r -> {
                    if (r.value().equals("bad")) {
                        throw new IllegalArgumentException("cannot apply bad");
                    }
                    handled.add(r.value());
                })
                .start());
        assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
        assertThat(handled).containsExactly("ok", "after");
        assertThat(consumer.stats().deadLettered()).isEqualTo(1);
        List<StoredRecord> copies = readAll(deadLetters);
        assertThat(copies).hasSize(1);
        StoredRecord copy = copies.get(0);
        assertThat(copy.key()).isEqualTo("a");
        assertThat(copy.value()).isEqualTo("bad");
        Headers h = copy.headers();
        assertThat(h.lastString("trace")).as("its own headers travel along").isEqualTo("t-7");
        assertThat(h.lastString(OrdoHeaders.DEAD_LETTER_ERROR)).contains("cannot apply bad");
        assertThat(h.lastString(OrdoHeaders.DEAD_LETTER_ATTEMPTS)).isEqualTo("2");
        assertThat(h.lastString(OrdoHeaders.ORIGIN_TOPIC)).isEqualTo(topic);
        assertThat(h.lastString(OrdoHeaders.ORIGIN_PARTITION)).isEqualTo("0");
        assertThat(h.lastString(OrdoHeaders.ORIGIN_OFFSET)).isEqualTo("1");
    }

    @Test
    void aRedriveSendsDeadLettersBackInTheirKeysOrderOnceTheKeyIsClear() throws Exception {
        String topic = createTopic("redrive", 1);
        String dlq = createTopic("redrive-dlq", 1);
        produce(topic, 0, 12, 3);
        AtomicBoolean broken = new AtomicBoolean(true);
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> k2 = new CopyOnWriteArrayList<>();
        RecordConsumer live = closeLater(textConsumer(topic)
                .group(uniqueName("g"))
                .deadLetter(dlq)
                .handler(r -> {
                    if (!r.key().equals("k2")) {
                        return;
                    }
                    if (broken.get() && (r.value().equals("2") || r.value().equals("5"))) {
                        throw new IllegalStateException("downstream down");
                    }
                    if (r.value().equals("late")) {
                        busy.countDown();
                        release.await();
                    }
                    k2.add(r.value() + (r.headers().lastString(DeadLetterRedrive.REDRIVEN_FROM) == null ? "" : "*"));
                })
                .start());
        assertThat(live.awaitCaughtUp(WAIT)).isTrue();
        assertThat(k2).containsExactly("8", "11");
        broken.set(false);
        try (RecordProducer<String, String> producer = producer(topic)) {
            producer.send("k2", "late").join();
        }
        assertThat(busy.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        DeadLetterRedrive redrive = closeLater(
                DeadLetterRedrive.builder(consumer(dlq, Serdes.bytes(), Serdes.bytes()), bytesProducer(topic))
                        .waitForClear(live)
                        .start());
        await().atMost(WAIT).until(() -> !redrive.reader().keysInFlight().isEmpty());
        assertThat(redrive.redriven())
                .as("k2 is busy in the live consumer: nothing goes back yet")
                .isZero();

        release.countDown();
        assertThat(redrive.awaitDone(WAIT)).isTrue();
        assertThat(redrive.redriven()).isEqualTo(2);
        await().atMost(WAIT).until(() -> k2.size() == 5);
        assertThat(k2)
                .as("the key's dead letters go back in their order, after what was in flight")
                .containsExactly("8", "11", "late", "2*", "5*");
    }

    @Test
    void aDeadLetterTopicMustExistUnlessTheConsumerIsToldToCreateIt() throws Exception {
        String topic = createTopic("dlq-missing", 1);
        String missing = uniqueName("no-such-dlq");
        assertThatThrownBy(() -> textConsumer(topic)
                        .group(uniqueName("g"))
                        .deadLetter(missing)
                        .handler(r -> {})
                        .start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("deadLetter topic '" + missing + "' does not exist");
        assertThat(exists(missing)).as("a typo must not become a topic").isFalse();
        closeLater(textConsumer(topic)
                .group(uniqueName("g"))
                .deadLetter(missing, true)
                .handler(r -> {})
                .start());
        assertThat(exists(missing)).isTrue();
    }

    @Test
    void fetchingPausesAtMaxInFlightAndGoesOnAsHandlersCatchUp() throws Exception {
        String topic = createTopic("backpressure", 2);
        produce(topic, 0, 2_000, 200);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger handled = new AtomicInteger();
        RecordConsumer consumer = closeLater(textConsumer(topic)
                .group(uniqueName("g"))
                .concurrency(4)
                .maxInFlight(100)
                .handler(r -> {
                    release.await();
                    handled.incrementAndGet();
                })
                .start());
        await().atMost(WAIT).until(() -> consumer.stats().inFlight() >= 100);
        assertThat(consumer.stats().inFlight()).isLessThanOrEqualTo(100);
        release.countDown();
        assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
        assertThat(handled.get()).isEqualTo(2_000);
        assertThat(consumer.stats().peakInFlight()).isLessThanOrEqualTo(100);
    }

    @Test
    void aConsumerStartedPausedTakesItsPartitionsButHandsNothingOverUntilResumed() throws Exception {
        String topic = createTopic("paused", 2);
        produce(topic, 0, 100, 10);
        String group = uniqueName("g");
        List<String> handled = new CopyOnWriteArrayList<>();
        RecordConsumer consumer = closeLater(textConsumer(topic)
                .group(group)
                .paused()
                .handler(r -> handled.add(r.value()))
                .start());
        await().atMost(WAIT).until(() -> consumer.assignment().size() == 2);
        assertThat(consumer.isPaused()).isTrue();
        Explanation held = consumer.explain(0, 0);
        assertThat(held.status()).isEqualTo(Explanation.Status.NOT_FETCHED);
        assertThat(held.reasons()).anyMatch(reason -> reason.contains("paused"));
        assertThat(handled).as("nothing before the resume").isEmpty();

        consumer.resume();
        assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
        assertThat(handled).hasSize(100);
        assertThat(handled.stream().filter(v -> Integer.parseInt(v) % 10 == 3).map(Integer::parseInt))
                .as("one key's records in order")
                .isSorted();

        consumer.pause();
        produce(topic, 100, 20, 10);
        assertThat(consumer.awaitCaughtUp(Duration.ofMillis(300))).as("paused").isFalse();
        assertThat(handled).as("nothing handed over while paused").hasSize(100);
        consumer.resume();
        assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
        assertThat(handled).hasSize(120);
    }

    @Test
    void closingAConsumerThatWasPausedAllAlongCommitsNothing() throws Exception {
        String topic = createTopic("paused-close", 2);
        produce(topic, 0, 50, 5);
        String group = uniqueName("g");
        AtomicInteger handledPaused = new AtomicInteger();
        RecordConsumer paused = textConsumer(topic)
                .group(group)
                .paused()
                .handler(r -> handledPaused.incrementAndGet())
                .start();
        await().atMost(WAIT).until(() -> paused.assignment().size() == 2);
        paused.close();
        assertThat(handledPaused.get()).isZero();
        AtomicInteger handled = new AtomicInteger();
        RecordConsumer next = closeLater(textConsumer(topic)
                .group(group)
                .handler(r -> handled.incrementAndGet())
                .start());
        assertThat(next.awaitCaughtUp(WAIT)).isTrue();
        assertThat(handled.get())
                .as("every record, none committed by the paused member")
                .isEqualTo(50);
    }

    @Test
    void aRecordThatCannotBeDeserializedFailsLikeAHandlerAndParksItsKey() throws Exception {
        String topic = createTopic("deserialize", 1);
        produce(topic, 0, 3, 1);
        List<Long> values = new CopyOnWriteArrayList<>();
        RecordConsumer consumer = closeLater(consumer(topic, Serdes.string(), Serdes.longs())
                .group(uniqueName("g"))
                .handler(r -> values.add(r.value()))
                .start());
        await().atMost(WAIT).until(() -> consumer.parked().size() == 1);
        assertThat(consumer.parked().get(0).error()).hasMessageContaining("a long must be 8 bytes, was 1");
        assertThat(values).isEmpty();
    }

    @Test
    void lagCountsWhatIsNotHandledAndAwaitCaughtUpWaitsForIt() throws Exception {
        String topic = createTopic("lag", 2);
        produce(topic, 0, 500, 10);
        CountDownLatch release = new CountDownLatch(1);
        RecordConsumer consumer = closeLater(textConsumer(topic)
                .group(uniqueName("g"))
                .handler(r -> release.await())
                .start());
        await().atMost(WAIT).until(() -> consumer.lag().records() == 500);
        assertThat(consumer.awaitCaughtUp(Duration.ofMillis(50))).isFalse();
        release.countDown();
        assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
        assertThat(consumer.lag().records()).isZero();
        assertThat(consumer.assignment()).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void awaitCaughtUpCountsRecordsSentJustBeforeIt() throws Exception {
        String topic = createTopic("caught-up", 2);
        AtomicInteger handled = new AtomicInteger();
        RecordConsumer consumer = closeLater(textConsumer(topic)
                .group(uniqueName("g"))
                .handler(r -> handled.incrementAndGet())
                .start());
        assertThat(consumer.awaitCaughtUp(WAIT)).as("an empty topic").isTrue();
        for (int round = 1; round <= 3; round++) {
            produce(topic, 0, 100, 10);
            assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
            assertThat(handled.get())
                    .as("handled once caught up, round %d", round)
                    .isEqualTo(100 * round);
        }
    }

    @Test
    void closeIsIdempotentAndLeavesTheGroupForTheNextMember() throws Exception {
        String topic = createTopic("close", 2);
        produce(topic, 0, 100, 10);
        String group = uniqueName("g");
        AtomicLong handled = new AtomicLong();
        RecordConsumer first = textConsumer(topic)
                .group(group)
                .handler(r -> handled.incrementAndGet())
                .start();
        assertThat(first.awaitCaughtUp(WAIT)).isTrue();
        first.close();
        first.close(Duration.ofSeconds(1));
        produce(topic, 100, 50, 10);
        Set<String> afterRestart = ConcurrentHashMap.newKeySet();
        RecordConsumer second = closeLater(textConsumer(topic)
                .group(group)
                .handler(r -> afterRestart.add(r.value()))
                .start());
        assertThat(second.awaitCaughtUp(WAIT)).isTrue();
        assertThat(handled.get()).isEqualTo(100);
        assertThat(afterRestart).as("only what came after the commit").hasSize(50);
    }

    @Test
    void theDefaultFailurePolicyIsParkingAndTheSkipPolicyIsSpelledOut() throws Exception {
        String topic = createTopic("skip-policy", 1);
        produce(topic, 0, 6, 1);
        List<String> handled = new CopyOnWriteArrayList<>();
        RecordConsumer consumer = closeLater(textConsumer(topic)
                .group(uniqueName("g"))
                .onFailure(OnFailure.SKIP)
                .handler((OrdoRecord<String, String> r) -> {
                    if (r.value().equals("3")) {
                        throw new Exception("checked exceptions are failures too");
                    }
                    handled.add(r.value());
                })
                .start());
        assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
        assertThat(handled).containsExactly("0", "1", "2", "4", "5");
        assertThat(consumer.stats().skipped()).isEqualTo(1);
        assertThatThrownBy(() -> textConsumer(topic).onFailure(OnFailure.DEAD_LETTER))
                .hasMessage("onFailure DEAD_LETTER needs a topic: use deadLetter(topic)");
    }
}
