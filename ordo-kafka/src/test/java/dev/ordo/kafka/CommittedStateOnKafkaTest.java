package dev.ordo.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ordo.engine.CommittedState;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.Serdes;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A Kafka consumer with a {@link CommittedState}: the offsets live in the state, committed with it, so a
 * crash and a restart apply each record's effect on the state exactly once, and nothing goes to the group.
 */
class CommittedStateOnKafkaTest {

    private static final int RECORDS = 3_000;
    private static final int ACCOUNTS = 30;

    @Test
    void eachRecordIsAppliedOnceToTheStateAcrossACrashAndNoOffsetGoesToTheGroup() throws Exception {
        String topic = "balances-state";
        KafkaBroker.createTopic(topic, 3);
        try (KafkaOrdoProducer<String, String> producer = KafkaOrdoProducer.builder(
                        KafkaBroker.bootstrapServers(), topic, Serdes.string(), Serdes.string())
                .build()) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send("acc-" + (i % ACCOUNTS), String.valueOf(i));
            }
            producer.flush();
        }
        Balances balances = new Balances();
        AtomicInteger handled = new AtomicInteger();
        AtomicInteger running = new AtomicInteger();

        KafkaOrdoConsumer<String, String> first = consumer(topic, balances, handled, running);
        await().atMost(Duration.ofSeconds(30)).until(() -> handled.get() >= RECORDS / 3 && balances.commits > 0);
        first.crashForTest(); // handled beyond the last commit: applied to the live state, not to the committed one
        await().atMost(Duration.ofSeconds(30)).until(() -> running.get() == 0); // its running handlers finished
        try (KafkaOrdoConsumer<String, String> second = consumer(topic, balances, handled, running)) {
            assertThat(second.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
        }

        Map<String, Long> expected = new HashMap<>();
        for (int i = 0; i < RECORDS; i++) {
            expected.merge("acc-" + (i % ACCOUNTS), (long) i, Long::sum);
        }
        assertThat(balances.offsets).as("committed with the state").isEqualTo(KafkaBroker.endOffsets(topic, 3));
        assertThat(balances.live).as("each record applied once").isEqualTo(expected);
        try (var admin = KafkaBroker.admin()) {
            assertThat(admin.listConsumerGroupOffsets("balances")
                            .partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS))
                    .as("offsets live in the state, not in the group")
                    .isEmpty();
        }
    }

    private static KafkaOrdoConsumer<String, String> consumer(
            String topic, Balances balances, AtomicInteger handled, AtomicInteger running) {
        return KafkaOrdoConsumer.builder(KafkaBroker.bootstrapServers(), topic, Serdes.string(), Serdes.string())
                .group("balances")
                .ordering(Ordering.KEY)
                .concurrency(4)
                .commitInterval(Duration.ofMillis(20))
                .committedState(balances)
                .handler(r -> {
                    running.incrementAndGet();
                    balances.live.merge(r.key(), Long.parseLong(r.value()), Long::sum);
                    handled.incrementAndGet();
                    running.decrementAndGet();
                })
                .start();
    }

    /** Balances per account, and a copy of them with the offsets at each commit (what a crash keeps). */
    private static final class Balances implements CommittedState {
        final Map<String, Long> live = new ConcurrentHashMap<>();
        private Map<String, Long> committed = Map.of();
        volatile Map<Integer, Long> offsets = Map.of();
        volatile int commits;

        @Override
        public synchronized Map<Integer, Long> restore() {
            live.clear();
            live.putAll(committed);
            return offsets;
        }

        @Override
        public synchronized void commit(Map<Integer, Long> nextOffsets) {
            committed = Map.copyOf(live);
            offsets = Map.copyOf(nextOffsets);
            commits++;
        }
    }
}
