package dev.ordo.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.OrdoRecord;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.kafka.KafkaBroker;
import dev.ordo.kafka.KafkaOrdoConsumer;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSealedException;
import dev.ordo.log.engine.TopicSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A live topic moves with a producer sending all along and a group of two running: the group handles
 * every record once, each key's in order, across the switch. Embedded to Kafka, Kafka to Kafka
 * (re-partitioned) and Kafka to embedded.
 */
class TopicMigrationTest {

    private static final AtomicInteger TOPICS = new AtomicInteger();

    @TempDir
    Path dir;

    /** What the group handled, per key, in the order it handled it. */
    private final Map<String, List<Long>> handled = new ConcurrentHashMap<>();

    @Test
    void aLiveEmbeddedTopicMovesToKafkaLosingAndReorderingNothing() throws Exception {
        String topic = "live-" + TOPICS.incrementAndGet();
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            log.createTopic(topic, TopicSpec.partitions(4));
            try (TopicMigration migration = TopicMigration.fromEmbedded(log, topic)
                    .toKafka(KafkaBroker.bootstrapServers())
                    .partitions(3)
                    .start()) {
                List<RecordConsumer> members = List.of(
                        embeddedMember(log, topic).start(),
                        embeddedMember(log, topic).start());
                TopicMigration.Fence fence = migrateUnderLoad(migration, members, () -> kafkaMember(topic));

                assertThat(fence.sourceEnds()).hasSize(4);
                assertThat(fence.targetEnds()).hasSize(3);
                assertThatThrownBy(() -> log.append(topic, bytes("k"), bytes("late")))
                        .isInstanceOf(TopicSealedException.class)
                        .hasMessageContaining("moved to Kafka topic '" + topic + "'");
            }
        }
    }

    @ParameterizedTest(name = "{0} -> {1} partitions")
    @CsvSource({"8, 3", "3, 12"})
    void aLiveKafkaTopicIsRepartitionedLosingAndReorderingNothing(int from, int to) throws Exception {
        String topic = "repartitioned-" + TOPICS.incrementAndGet();
        KafkaBroker.createTopic(topic, from);
        try (TopicMigration migration = TopicMigration.fromKafka(KafkaBroker.bootstrapServers(), topic)
                .targetTopic(topic + "-v2")
                .partitions(to)
                .start()) {
            List<RecordConsumer> members =
                    List.of(kafkaMember(topic).start(), kafkaMember(topic).start());
            TopicMigration.Fence fence = migrateUnderLoad(migration, members, () -> kafkaMember(topic + "-v2"));

            assertThat(fence.sourceEnds()).hasSize(from);
            assertThat(fence.targetEnds()).hasSize(to);
        }
    }

    @Test
    void aLiveKafkaTopicMovesToTheEmbeddedEngineLosingAndReorderingNothing() throws Exception {
        String topic = "brought-back-" + TOPICS.incrementAndGet();
        KafkaBroker.createTopic(topic, 4);
        try (EmbeddedLog log = EmbeddedLog.open(dir);
                TopicMigration migration = TopicMigration.fromKafka(KafkaBroker.bootstrapServers(), topic)
                        .toEmbedded(log)
                        .start()) {
            List<RecordConsumer> members =
                    List.of(kafkaMember(topic).start(), kafkaMember(topic).start());
            TopicMigration.Fence fence = migrateUnderLoad(migration, members, () -> embeddedMember(log, topic));

            assertThat(fence.sourceEnds()).hasSize(4);
            assertThat(fence.targetEnds()).hasSize(4);
            assertThat(log.layout(topic).partitions()).isEqualTo(4);
        }
    }

    /**
     * Sends all along while the backlog is copied, the producer switched and the group handed over; then
     * checks that every record sent was handled once, each key's in order.
     */
    private TopicMigration.Fence migrateUnderLoad(
            TopicMigration migration,
            List<RecordConsumer> members,
            Supplier<ConsumerBuilder<?, String, String>> onTarget)
            throws Exception {
        RecordProducer<String, String> producer = migration.producer(Serdes.string(), Serdes.string());
        Sender sender = new Sender(producer);
        sender.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> sender.sent.get() >= 3_000);
        assertThat(migration.awaitCopied(Duration.ofSeconds(30)))
                .as(
                        "backlog copied (lag %d, sent %d, failure %s)",
                        migration.lag(), sender.sent.get(), migration.failure())
                .isTrue();

        TopicMigration.Fence fence = migration.switchOver(); // the sender sending all along
        int atSwitch = sender.sent.get();
        List<RecordConsumer> moved = migration.handOver("balances", members, onTarget, Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(30)).until(() -> sender.sent.get() >= atSwitch + 2_000);
        sender.finish();

        assertThat(sender.failures).hasValue(0);
        int sent = sender.sent.get();
        await().atMost(Duration.ofSeconds(20)).until(() -> total() >= sent);
        moved.forEach(RecordConsumer::close);
        producer.close();
        handled.forEach((key, seqs) -> assertThat(seqs)
                .as("key %s handled each of its records once, in order", key)
                .isEqualTo(range(seqs.size())));
        assertThat(total()).isEqualTo(sent);
        return fence;
    }

    private ConsumerBuilder<?, String, String> embeddedMember(EmbeddedLog log, String topic) {
        return OrdoConsumer.builder(log, topic, Serdes.string(), Serdes.string())
                .group("balances")
                .concurrency(8)
                .handler(this::handle);
    }

    private ConsumerBuilder<?, String, String> kafkaMember(String topic) {
        return KafkaOrdoConsumer.builder(KafkaBroker.bootstrapServers(), topic, Serdes.string(), Serdes.string())
                .group("balances")
                .concurrency(8)
                .handler(this::handle);
    }

    private void handle(OrdoRecord<String, String> record) {
        handled.computeIfAbsent(record.key(), k -> Collections.synchronizedList(new ArrayList<>()))
                .add(Long.parseLong(record.value()));
    }

    private int total() {
        return handled.values().stream().mapToInt(List::size).sum();
    }

    private static List<Long> range(int n) {
        List<Long> seqs = new ArrayList<>(n);
        for (long i = 0; i < n; i++) {
            seqs.add(i);
        }
        return seqs;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
