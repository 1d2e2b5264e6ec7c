package dev.ordo.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.OrdoRecord;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.kafka.KafkaBroker;
import dev.ordo.kafka.KafkaOrdoConsumer;
import dev.ordo.log.consumer.JsonSnapshotState;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A group whose consumer keeps balances in a {@code CommittedState} applies part of a live topic on the
 * source, the topic moves, and a consumer with the same state goes on on the target: every record's effect
 * is applied exactly once, and the balances are those of every record sent.
 */
class CommittedStateMigrationTest {

    private static final AtomicInteger TOPICS = new AtomicInteger();

    @TempDir
    Path dir;

    /** Per account: the sum of the amounts applied and how many were. */
    public static final class Balances {
        public ConcurrentHashMap<String, Long> sums = new ConcurrentHashMap<>();
        public ConcurrentHashMap<String, Long> applied = new ConcurrentHashMap<>();

        void apply(String account, long amount) {
            sums.merge(account, amount, Long::sum);
            applied.merge(account, 1L, Long::sum);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"embedded to Kafka", "Kafka to embedded"})
    void aConsumerWithACommittedStateGoesOnOnTheTargetApplyingEachRecordOnce(String direction) throws Exception {
        boolean toKafka = direction.equals("embedded to Kafka");
        String topic = "balances-" + TOPICS.incrementAndGet();
        JsonSnapshotState<Balances> state =
                new JsonSnapshotState<>(dir.resolve("balances.json"), Balances.class, Balances::new);
        try (EmbeddedLog log = EmbeddedLog.open(dir.resolve("data"))) {
            TopicMigration.Builder builder;
            if (toKafka) {
                log.createTopic(topic, TopicSpec.partitions(4));
                builder = TopicMigration.fromEmbedded(log, topic).toKafka(KafkaBroker.bootstrapServers());
            } else {
                KafkaBroker.createTopic(topic, 4);
                builder = TopicMigration.fromKafka(KafkaBroker.bootstrapServers(), topic)
                        .toEmbedded(log);
            }
            try (TopicMigration migration = builder.partitions(3).start()) {
                RecordConsumer onSource = (toKafka ? embedded(log, topic, state) : kafka(topic, state)).start();
                RecordProducer<String, String> producer = migration.producer(Serdes.string(), Serdes.string());
                Sender sender = new Sender(producer);
                sender.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> sender.sent.get() >= 3_000);
                assertThat(migration.awaitCopied(Duration.ofSeconds(30))).isTrue();
                migration.switchOver();
                int atSwitch = sender.sent.get();

                RecordConsumer onTarget = migration.handOver(
                        "balances",
                        List.of(onSource),
                        state,
                        () -> toKafka ? kafka(topic, state) : embedded(log, topic, state),
                        Duration.ofSeconds(30));
                await().atMost(Duration.ofSeconds(30)).until(() -> sender.sent.get() >= atSwitch + 2_000);
                sender.finish();
                assertThat(sender.failures).hasValue(0);
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> state.value().applied.values().stream()
                                        .mapToLong(Long::longValue)
                                        .sum()
                                >= sender.sent.get());
                onTarget.close();
                producer.close();

                Balances expected = new Balances();
                for (int i = 0; i < sender.sent.get(); i++) { // key i % KEYS got values 0, 1, 2, ... in turn
                    expected.apply("key-" + (i % Sender.KEYS), i / Sender.KEYS);
                }
                state.restore(); // as committed on close
                assertThat(state.value().applied).as("each record applied once").isEqualTo(expected.applied);
                assertThat(state.value().sums).as("balances").isEqualTo(expected.sums);

                assertThatThrownBy(() -> migration.handOver(
                                "balances", List.of(onSource), state, () -> kafka(topic, state), Duration.ofSeconds(1)))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("the state of group 'balances' moved to");
            }
        }
    }

    private static ConsumerBuilder<?, String, String> embedded(
            EmbeddedLog log, String topic, JsonSnapshotState<Balances> state) {
        return OrdoConsumer.builder(log, topic, Serdes.string(), Serdes.string())
                .group("balances")
                .ordering(Ordering.KEY)
                .concurrency(8)
                .commitInterval(Duration.ofMillis(50))
                .committedState(state)
                .handler((OrdoRecord<String, String> r) -> state.value().apply(r.key(), Long.parseLong(r.value())));
    }

    private static ConsumerBuilder<?, String, String> kafka(String topic, JsonSnapshotState<Balances> state) {
        return KafkaOrdoConsumer.builder(KafkaBroker.bootstrapServers(), topic, Serdes.string(), Serdes.string())
                .group("balances")
                .ordering(Ordering.KEY)
                .concurrency(8)
                .commitInterval(Duration.ofMillis(50))
                .committedState(state)
                .handler((OrdoRecord<String, String> r) -> state.value().apply(r.key(), Long.parseLong(r.value())));
    }
}
