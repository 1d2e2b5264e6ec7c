package dev.ordo.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ordo.engine.Ordering;
import dev.ordo.engine.Serdes;
import dev.ordo.partition.Partitioner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A member that closes while its group rebalances still commits what it handled: under the classic
 * protocol the group refuses commits until its slowest member, still draining the partitions it gives
 * up, rejoins; the closing member waits for that (within a bound) instead of leaving uncommitted.
 */
class ClosingDuringRebalanceTest {

    private static final int PARTITIONS = 6;
    private static final int KEYS = 60;

    @ParameterizedTest
    @EnumSource(GroupProtocol.class)
    void aMemberClosingWhileASlowMemberDrainsCommitsEverythingItHandled(GroupProtocol protocol) throws Exception {
        String topic = "closing-in-rebalance-" + protocol;
        String group = "closing-in-rebalance-" + protocol;
        KafkaBroker.createTopic(topic, PARTITIONS);
        Map<String, Integer> firstHandledBy = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> receipts = new ConcurrentHashMap<>();
        AtomicBoolean stallB = new AtomicBoolean();
        CountDownLatch releaseB = new CountDownLatch(1);

        // a commits only when it hands partitions over or closes: a lost last commit shows as repeats.
        KafkaOrdoConsumer<String, String> a = member(topic, group, protocol, 0, firstHandledBy, receipts, () -> {})
                .commitInterval(Duration.ofMinutes(10))
                .start();
        produce(topic, 0, 600);
        await().atMost(Duration.ofSeconds(30)).until(() -> receipts.size() == 600);
        KafkaOrdoConsumer<String, String> b = member(topic, group, protocol, 1, firstHandledBy, receipts, () -> {
                    if (stallB.get()) {
                        releaseB.await(30, TimeUnit.SECONDS);
                    }
                })
                .drainTimeout(Duration.ofSeconds(5))
                .start();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> a.assignment().size() == 3 && b.assignment().size() == 3);

        // b gets stuck in records of each of its partitions; a handles its share of the next records.
        stallB.set(true);
        produce(topic, 600, KEYS);
        long forA = IntStream.range(600, 600 + KEYS)
                .filter(i -> a.assignment().contains(partitionOf("k" + (i % KEYS))))
                .count();
        await().atMost(Duration.ofSeconds(30)).until(() -> receipts.size() == 600 + forA);

        // c joins: b drains what it gives up for up to 5 s, and the group's rebalance waits for it.
        KafkaOrdoConsumer<String, String> c = member(topic, group, protocol, 2, firstHandledBy, receipts, () -> {})
                .start();
        await().atMost(Duration.ofSeconds(30)).until(() -> a.assignment().size() == 2);
        a.close();
        releaseB.countDown();
        await().atMost(Duration.ofSeconds(40)).until(() -> receipts.size() == 600 + KEYS);
        b.close();
        c.close();

        List<String> repeatedAfterA = receipts.entrySet().stream()
                .filter(e -> e.getValue().get() > 1 && firstHandledBy.get(e.getKey()) == 0)
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
        assertThat(repeatedAfterA)
                .as("records a handled and then, its last commit lost, its successors again")
                .isEmpty();
    }

    /** What a member's handler does before it counts a record: nothing, or wait. */
    private interface Before {
        void run() throws InterruptedException;
    }

    /** A member that counts each record's receipts and which member handled it first. */
    private static KafkaOrdoConsumer.Builder<String, String> member(
            String topic,
            String group,
            GroupProtocol protocol,
            int id,
            Map<String, Integer> firstHandledBy,
            Map<String, AtomicInteger> receipts,
            Before before) {
        return KafkaOrdoConsumer.builder(KafkaBroker.bootstrapServers(), topic, Serdes.string(), Serdes.string())
                .group(group)
                .groupProtocol(protocol)
                .ordering(Ordering.KEY)
                .concurrency(8)
                .handler(r -> {
                    before.run();
                    firstHandledBy.putIfAbsent(r.value(), id);
                    receipts.computeIfAbsent(r.value(), v -> new AtomicInteger())
                            .incrementAndGet();
                });
    }

    private static int partitionOf(String key) {
        return Partitioner.kafkaDefault().partition(key.getBytes(StandardCharsets.UTF_8), PARTITIONS);
    }

    private static void produce(String topic, int first, int count) {
        try (KafkaOrdoProducer<String, String> producer = KafkaOrdoProducer.builder(
                        KafkaBroker.bootstrapServers(), topic, Serdes.string(), Serdes.string())
                .build()) {
            for (int i = first; i < first + count; i++) {
                producer.send("k" + (i % KEYS), String.valueOf(i));
            }
            producer.flush();
        }
    }
}
