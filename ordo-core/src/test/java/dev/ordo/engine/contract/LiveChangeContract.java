package dev.ordo.engine.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.engine.ConsumerTuning;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.RecordProducer;
import dev.ordo.exec.Retry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What every engine's consumer does while it is changed without a restart: {@link RecordConsumer#reconfigure}
 * under load, and a rolling restart of every member of a group. Both keep every record, once, and each key
 * in order. Runs with the rest of the {@link ConsumerContract} (and the {@link RecordExplanationContract}) on
 * each engine.
 */
public abstract class LiveChangeContract extends RecordExplanationContract {

    /** Concurrency, records in flight and retry, up and down, one after another. */
    private static final List<ConsumerTuning> TUNINGS = List.of(
            new ConsumerTuning(1, 10, Retry.exponential(2, Duration.ofMillis(1), Duration.ofMillis(1))),
            new ConsumerTuning(16, 5_000, Retry.exponential(3, Duration.ofMillis(1), Duration.ofMillis(2))),
            new ConsumerTuning(2, 1, Retry.exponential(2, Duration.ofMillis(1), Duration.ofMillis(1))),
            new ConsumerTuning(8, 200, Retry.exponential(5, Duration.ofMillis(1), Duration.ofMillis(2))),
            new ConsumerTuning(1, 50_000, Retry.exponential(2, Duration.ofMillis(1), Duration.ofMillis(1))));

    @Test
    void reconfiguringUpAndDownUnderLoadLosesNothingAndKeepsEachKeyInOrder() throws Exception {
        String topic = createTopic("reconfigure", 3);
        Map<String, List<Integer>> perKey = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> active = new ConcurrentHashMap<>();
        AtomicInteger overlap = new AtomicInteger();
        Set<Integer> failedOnce = ConcurrentHashMap.newKeySet();
        RecordConsumer consumer = closeLater(textConsumer(topic)
                .group(uniqueName("g"))
                .ordering(Ordering.KEY)
                .concurrency(4)
                .retry(Retry.exponential(2, Duration.ofMillis(1), Duration.ofMillis(1)))
                .handler(r -> {
                    int running = active.computeIfAbsent(r.key(), k -> new AtomicInteger())
                            .incrementAndGet();
                    overlap.accumulateAndGet(running, Math::max);
                    try {
                        int value = Integer.parseInt(r.value());
                        if (value % 97 == 0 && failedOnce.add(value)) {
                            throw new IllegalStateException("fails once: " + value); // every tuning retries
                        }
                        perKey.computeIfAbsent(r.key(), k -> new CopyOnWriteArrayList<>())
                                .add(value);
                    } finally {
                        active.get(r.key()).decrementAndGet();
                    }
                })
                .start());
        int records = 0;
        for (int round = 0; round < 30; round++) {
            ConsumerTuning tuning = TUNINGS.get(round % TUNINGS.size());
            assertThat(consumer.reconfigure(t -> tuning)).isEqualTo(tuning);
            produce(topic, records, 200, 40);
            records += 200;
        }
        ConsumerTuning last = consumer.reconfigure(t -> t.withConcurrency(3).withMaxInFlight(777));

        assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
        assertThat(consumer.tuning()).isEqualTo(last);
        assertThat(last.retry()).isEqualTo(TUNINGS.get(29 % TUNINGS.size()).retry());
        assertThat(perKey).hasSize(40);
        int perKeyCount = records / 40;
        perKey.forEach((key, values) -> {
            assertThat(values).as(key).hasSize(perKeyCount).isSorted().doesNotHaveDuplicates();
        });
        assertThat(overlap.get()).as("one record of a key at a time").isEqualTo(1);
        assertThat(consumer.stats().handled()).isEqualTo(records);
        assertThat(consumer.parked()).isEmpty();
    }

    @Test
    void growingMaxInFlightResumesAPausedFetchAndShrinkingItPausesFetching() throws Exception {
        String topic = createTopic("in-flight", 1);
        produce(topic, 0, 100, 100);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<RecordConsumer> self = new AtomicReference<>();
        AtomicBoolean shrunk = new AtomicBoolean();
        AtomicBoolean drained = new AtomicBoolean();
        AtomicLong aboveNewBound = new AtomicLong();
        AtomicInteger handled = new AtomicInteger();
        RecordConsumer consumer = closeLater(textConsumer(topic)
                .group(uniqueName("g"))
                .concurrency(2)
                .maxInFlight(10)
                .handler(r -> {
                    release.await();
                    // Read before the count: a count read before another handler saw the drain proves nothing.
                    boolean wasDrained = drained.get();
                    long inFlight = self.get().stats().inFlight();
                    if (shrunk.get() && inFlight <= 20) {
                        drained.set(true); // below the new bound: from here it must stay there
                    } else if (wasDrained && inFlight > 20) {
                        aboveNewBound.incrementAndGet();
                    }
                    handled.incrementAndGet();
                })
                .start());
        self.set(consumer);
        try {
            await().atMost(WAIT).until(() -> consumer.stats().inFlight() == 10);
            assertThat(consumer.stats().peakInFlight())
                    .as("paused at the bound")
                    .isEqualTo(10);

            consumer.reconfigure(t -> t.withMaxInFlight(60));
            await().atMost(WAIT).until(() -> consumer.stats().inFlight() == 60);

            consumer.reconfigure(t -> t.withMaxInFlight(20));
            shrunk.set(true);
        } finally {
            release.countDown(); // also when an assertion failed: the handlers end, the consumer closes
        }
        assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
        assertThat(handled.get()).isEqualTo(100);
        assertThat(consumer.stats().peakInFlight()).isEqualTo(60);
        assertThat(drained.get()).isTrue();
        assertThat(aboveNewBound.get())
                .as("once below the smaller bound, fetching kept under it")
                .isZero();
    }

    @Test
    void reconfigureRefusesABadValueNamingItAndChangesNothing() throws Exception {
        String topic = createTopic("reconfigure-bad", 1);
        RecordConsumer consumer = closeLater(textConsumer(topic)
                .group(uniqueName("g"))
                .concurrency(3)
                .maxInFlight(500)
                .handler(r -> {})
                .start());
        ConsumerTuning before = consumer.tuning();
        assertThat(before).isEqualTo(new ConsumerTuning(3, 500, Retry.none()));

        assertThatThrownBy(
                        () -> consumer.reconfigure(t -> t.withMaxInFlight(1_000).withConcurrency(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("concurrency must be >= 1, was 0");
        assertThatThrownBy(() -> consumer.reconfigure(t -> t.withMaxInFlight(0)))
                .hasMessage("maxInFlight must be >= 1, was 0");
        assertThatThrownBy(() -> consumer.reconfigure(t -> t.withConcurrency(10_001)))
                .hasMessage("concurrency must be <= 10000, was 10001");
        assertThatThrownBy(() -> consumer.reconfigure(t -> t.withRetry(null)))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("retry must not be null");
        assertThat(consumer.tuning()).isEqualTo(before);

        consumer.close();
        assertThatThrownBy(() -> consumer.reconfigure(t -> t.withConcurrency(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is closed");
    }

    /**
     * Three members; each in turn, once the group has settled, is closed and a replacement started while a
     * producer keeps sending. Every hand-over is a drained one (the closing member finishes and commits what
     * it has, the new owner starts from that commit), so the documented bound on records handled twice is
     * zero (docs/delivery-guarantees.md, "Hand-overs"; docs/operations.md, "Live changes": on Kafka a member
     * closed while its group still rebalances may fail its last commit, which the settling avoids).
     */
    @Test
    void aRollingRestartOfEveryMemberUnderLoadLosesNothingHandlesNothingTwiceAndKeepsKeysInOrder() throws Exception {
        String topic = createTopic("rolling", 6);
        String group = uniqueName("g");
        int keys = 30;
        Map<String, List<Integer>> perKey = new ConcurrentHashMap<>();
        AtomicInteger handled = new AtomicInteger();
        AtomicInteger twice = new AtomicInteger();
        Set<Integer> seen = ConcurrentHashMap.newKeySet();
        Semaphore window = new Semaphore(500); // the producer stays at most this far ahead of the group
        List<RecordConsumer> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            members.add(member(topic, group, perKey, handled, twice, seen, window));
        }
        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        Thread producerThread = new Thread(() -> {
            try (RecordProducer<String, String> producer = producer(topic)) {
                while (sending.get()) {
                    if (window.tryAcquire(20, TimeUnit.MILLISECONDS)) {
                        int i = sent.getAndIncrement();
                        producer.send("k" + (i % keys), Integer.toString(i));
                    }
                }
                producer.flush();
            } catch (Throwable e) {
                producerFailure.set(e);
            }
        });
        producerThread.start();
        for (int i = 0; i < 3; i++) {
            // Each step as an operator takes it: once the group has settled, and under load.
            await().atMost(WAIT).until(() -> settled(members, 6));
            int before = handled.get();
            await().atMost(WAIT).until(() -> handled.get() >= before + 300);
            members.get(i).close();
            members.set(i, member(topic, group, perKey, handled, twice, seen, window));
        }
        await().atMost(WAIT).until(() -> settled(members, 6));
        int afterRestarts = handled.get();
        await().atMost(WAIT).until(() -> handled.get() >= afterRestarts + 300);
        sending.set(false);
        producerThread.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(producerFailure.get()).isNull();
        int total = sent.get();
        await().atMost(WAIT).until(() -> seen.size() == total);

        assertThat(twice.get()).as("records handled twice").isZero();
        assertThat(perKey).hasSize(keys);
        perKey.forEach((key, values) -> {
            int k = Integer.parseInt(key.substring(1));
            List<Integer> expected = new ArrayList<>();
            for (int v = k; v < total; v += keys) {
                expected.add(v);
            }
            assertThat(values).as("%s: all its records, in order", key).isEqualTo(expected);
        });
        for (RecordConsumer member : members) {
            assertThat(member.failure()).isEmpty();
        }
    }

    /** Whether every member owns partitions and together they own each of the topic's once: no rebalance runs. */
    private static boolean settled(List<RecordConsumer> members, int partitions) {
        Set<Integer> owned = new HashSet<>();
        int count = 0;
        for (RecordConsumer member : members) {
            Set<Integer> assignment = member.assignment();
            if (assignment.isEmpty()) {
                return false;
            }
            owned.addAll(assignment);
            count += assignment.size();
        }
        return owned.size() == partitions && count == partitions;
    }

    private RecordConsumer member(
            String topic,
            String group,
            Map<String, List<Integer>> perKey,
            AtomicInteger handled,
            AtomicInteger twice,
            Set<Integer> seen,
            Semaphore window) {
        return closeLater(textConsumer(topic)
                .group(group)
                .ordering(Ordering.KEY)
                .concurrency(4)
                .handler(r -> {
                    int value = Integer.parseInt(r.value());
                    perKey.computeIfAbsent(r.key(), k -> new CopyOnWriteArrayList<>())
                            .add(value);
                    if (seen.add(value)) {
                        window.release();
                    } else {
                        twice.incrementAndGet();
                    }
                    handled.incrementAndGet();
                })
                .start());
    }
}
