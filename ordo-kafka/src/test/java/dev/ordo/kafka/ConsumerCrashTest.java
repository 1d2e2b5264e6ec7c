package dev.ordo.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ordo.check.Anomaly;
import dev.ordo.check.CheckReport;
import dev.ordo.check.History;
import dev.ordo.check.Message;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.Serdes;
import dev.ordo.flow.RateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Members of a KEY-ordered group crash (stop without committing, with records in the middle of
 * being handled, which then have no effect) and are replaced while records stream in. The checker
 * must find nothing lost and no key reordered; records handled twice must be exactly what the
 * guarantee allows: handled by a member that then crashed before committing them. Under both consumer
 * group protocols.
 */
class ConsumerCrashTest {

    private static final int KEYS = 60;
    private static final int CRASHES = Integer.getInteger("ordo.kafka.crashes", 6);
    private static final int RATE = 4_000;

    /** One member of the group. */
    private record Member(int id, KafkaOrdoConsumer<String, String> consumer) {}

    @ParameterizedTest
    @EnumSource(GroupProtocol.class)
    void crashingMembersLoseNothingReorderNothingAndRepeatOnlyWhatTheyHadNotCommitted(GroupProtocol protocol)
            throws Exception {
        String topic = "crashing-members-" + protocol;
        KafkaBroker.createTopic(topic, 6);
        History history = new History();
        Map<String, Integer> firstHandledBy = new ConcurrentHashMap<>();
        Map<String, long[]> whereFrom = new ConcurrentHashMap<>(); // id -> partition, offset
        AtomicInteger distinct = new AtomicInteger();
        AtomicInteger sent = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger nextMember = new AtomicInteger();
        Random random = new Random(42);
        Map<Integer, CountDownLatch> freeze = new ConcurrentHashMap<>();
        Set<Integer> dead = ConcurrentHashMap.newKeySet();

        Supplier<Member> join = () -> {
            int id = nextMember.getAndIncrement();
            KafkaOrdoConsumer<String, String> c = KafkaOrdoConsumer.builder(
                            KafkaBroker.bootstrapServers(), topic, Serdes.string(), Serdes.string())
                    .group("crashing-" + protocol)
                    .groupProtocol(protocol)
                    .ordering(Ordering.KEY)
                    .concurrency(8)
                    .commitInterval(Duration.ofMillis(50))
                    .property("metadata.max.age.ms", "500")
                    .handler(r -> {
                        CountDownLatch frozen = freeze.get(id);
                        if (frozen != null) {
                            try {
                                frozen.await(30, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                        if (dead.contains(id)) {
                            return; // the process is gone: what it was doing has no effect
                        }
                        String value = r.value();
                        history.received(new Message(r.key(), r.key(), -1, value));
                        if (firstHandledBy.putIfAbsent(value, id) == null) {
                            whereFrom.put(value, new long[] {r.partition(), r.offset()});
                            distinct.incrementAndGet();
                        }
                    })
                    .start();
            return new Member(id, c);
        };

        try (KafkaOrdoProducer<String, String> producer = KafkaOrdoProducer.builder(
                        KafkaBroker.bootstrapServers(), topic, Serdes.string(), Serdes.string())
                .build()) {
            RateLimiter pace = RateLimiter.perSecond(RATE).withBurst(50);
            CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> {
                for (int i = 0; !stop.get(); i++) {
                    pace.acquire(1);
                    String key = "k" + (i % KEYS);
                    String id = String.valueOf(i);
                    history.sent(new Message(key, key, -1, id));
                    producer.send(key, id);
                    sent.incrementAndGet();
                }
            });
            List<Member> members = new ArrayList<>(List.of(join.get(), join.get()));
            List<Member> crashed = new ArrayList<>();
            for (int crash = 0; crash < CRASHES; crash++) {
                int before = distinct.get();
                await().atMost(Duration.ofSeconds(30)).until(() -> distinct.get() >= before + 1_500);
                Member victim = members.remove(random.nextInt(members.size()));
                // It dies with records in the middle of being handled: they must not count as done.
                CountDownLatch stuck = new CountDownLatch(1);
                freeze.put(victim.id(), stuck);
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> victim.consumer().stats().inFlight() >= 20);
                dead.add(victim.id());
                victim.consumer().crashForTest();
                stuck.countDown();
                crashed.add(victim);
                members.add(join.get());
            }
            stop.set(true);
            producing.get(30, TimeUnit.SECONDS);
            producer.flush();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> distinct.get() >= sent.get());
            } catch (ConditionTimeoutException e) {
                // the checker below names what is missing
            }
            members.forEach(m -> m.consumer().close());

            CheckReport report = history.check();
            assertThat(report.count(Anomaly.LOST)).as(report.summary()).isZero();
            assertThat(report.count(Anomaly.REORDERED)).as(report.summary()).isZero();
            assertThat(report.count(Anomaly.UNEXPECTED)).as(report.summary()).isZero();
            assertThat(report.received()).as("handled at least once").isGreaterThanOrEqualTo(sent.get());

            // Each repeat is a record a crashed member handled without committing it (offset nor metadata).
            Map<Integer, Member> byId = new HashMap<>();
            crashed.forEach(m -> byId.put(m.id(), m));
            List<String> repeated = repeatedIds(history);
            for (String id : repeated) {
                Member first = byId.get(firstHandledBy.get(id));
                assertThat(first)
                        .as("record %s was repeated, so its first handler must have crashed", id)
                        .isNotNull();
                int partition = (int) whereFrom.get(id)[0];
                long offset = whereFrom.get(id)[1];
                long committed = first.consumer().committedOffset(partition);
                NavigableSet<Long> beyond =
                        CompletedOffsets.decode(committed, first.consumer().committedMetadata(partition));
                assertThat(offset >= committed && !beyond.contains(offset))
                        .as(
                                "record %s (%d@%d) was repeated although member %d had committed it",
                                id, partition, offset, first.id())
                        .isTrue();
            }
        }
    }

    private static List<String> repeatedIds(History history) {
        Map<String, Integer> receipts = new HashMap<>();
        history.received().forEach(m -> receipts.merge(m.id(), 1, Integer::sum));
        return receipts.entrySet().stream()
                .filter(e -> e.getValue() > 1)
                .map(Map.Entry::getKey)
                .toList();
    }
}
