package dev.ordo.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ordo.engine.RecordConsumer;
import dev.ordo.kafka.KafkaBroker;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.storage.Record;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kafka topic brought into the embedded engine (to debug it on one machine): each record where it was,
 * with its key, value, headers and timestamp, and each group at the position it had reached.
 */
class KafkaToEmbeddedTest {

    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static final int PARTITIONS = 4;
    /** Timestamps of 2023: the test broker keeps records of any age (no retention by time, see EmbeddedKafka). */
    private static final long EPOCH = 1_700_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void everyRecordKeepsItsPartitionKeyValueHeadersAndTimestampAndEachGroupItsPosition() throws Exception {
        String topic = "debugged-" + TOPICS.incrementAndGet();
        KafkaBroker.createTopic(topic, PARTITIONS);
        produce(topic, 400);
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> onKafka = readKafka(topic);
        Map<Integer, Long> half = new HashMap<>();
        Map<Integer, Long> all = new HashMap<>();
        onKafka.forEach((p, records) -> {
            half.put(p, (long) records.size() / 2);
            all.put(p, (long) records.size());
        });
        commit("halfway", topic, half);
        commit("done", topic, all);

        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            Map<String, Map<Integer, Long>> moved;
            TopicMigration.Fence fence;
            try (TopicMigration migration = TopicMigration.fromKafka(KafkaBroker.bootstrapServers(), topic)
                    .toEmbedded(log)
                    .start()) {
                assertThat(migration.awaitCopied(Duration.ofSeconds(30))).isTrue();
                fence = migration.switchOver();
                moved = migration.moveGroups();
            }

            List<Long> ends = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                ends.add(log.endOffset(topic, p));
            }
            for (int p = 0; p < PARTITIONS; p++) {
                List<Record> copied = log.read(topic, p, 0, 1 << 24);
                List<ConsumerRecord<byte[], byte[]>> original = onKafka.get(p);
                assertThat(copied)
                        .as("partition %d (fence %s, embedded ends %s, groups moved %s)", p, fence, ends, moved)
                        .hasSameSizeAs(original);
                for (int i = 0; i < copied.size(); i++) {
                    Record c = copied.get(i);
                    ConsumerRecord<byte[], byte[]> o = original.get(i);
                    assertThat(c.key()).isEqualTo(o.key());
                    assertThat(c.value()).isEqualTo(o.value());
                    assertThat(c.timestamp()).isEqualTo(o.timestamp());
                    List<dev.ordo.engine.Header> expected = new ArrayList<>();
                    for (Header h : o.headers()) {
                        expected.add(new dev.ordo.engine.Header(h.key(), h.value()));
                    }
                    expected.add(new dev.ordo.engine.Header(Copier.FROM_HEADER, bytes(p + "/" + o.offset())));
                    assertThat(c.headers()).isEqualTo(expected);
                }
            }
            assertThat(fence.sourceEnds()).isEqualTo(ends(all));
            assertThat(moved).containsOnlyKeys("halfway", "done");
            assertThat(moved.get("done")).isEqualTo(GroupMoves.fence(toArray(fence.targetEnds())));
            assertThat(moved.get("halfway"))
                    .as("the first record each partition's group had not handled")
                    .isEqualTo(half);
            assertThat(log.committedOffsets(topic)).isEqualTo(moved);

            AtomicInteger handled = new AtomicInteger();
            try (RecordConsumer halfway = OrdoConsumer.builder(log, topic)
                    .group("halfway")
                    .handler(r -> handled.incrementAndGet())
                    .start()) {
                assertThat(halfway.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            }
            long left = all.values().stream().mapToLong(Long::longValue).sum()
                    - half.values().stream().mapToLong(Long::longValue).sum();
            assertThat(handled).as("the group goes on where it was on Kafka").hasValue((int) left);
        }
    }

    @Test
    void recordsTheSourceDeletedBeforeTheyWereCopiedAreCountedAsSkipped() throws Exception {
        String topic = "trimmed-" + TOPICS.incrementAndGet();
        KafkaBroker.createTopic(topic, PARTITIONS);
        produce(topic, 400);
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> onKafka = readKafka(topic);
        Map<Integer, Long> deletedBelow = Map.of(0, 30L, 1, 10L);
        deleteRecords(topic, deletedBelow);

        try (EmbeddedLog log = EmbeddedLog.open(dir);
                TopicMigration migration = TopicMigration.fromKafka(KafkaBroker.bootstrapServers(), topic)
                        .toEmbedded(log)
                        .start()) {
            assertThat(migration.awaitCopied(Duration.ofSeconds(30))).isTrue();
            migration.switchOver();

            assertThat(migration.skippedAsDeleted()).isEqualTo(40);
            for (int p = 0; p < PARTITIONS; p++) {
                long deleted = deletedBelow.getOrDefault(p, 0L);
                List<Record> copied = log.read(topic, p, 0, 1 << 24);
                assertThat(copied).hasSize(onKafka.get(p).size() - (int) deleted);
                assertThat(Copier.source(copied.get(0))).containsExactly(p, deleted);
            }
        }
    }

    @Test
    void aTargetTopicThatExistsWithoutAMigrationIntoItIsRefused() throws Exception {
        String topic = "taken-" + TOPICS.incrementAndGet();
        KafkaBroker.createTopic(topic, 2);
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            log.createTopic(topic, TopicSpec.partitions(2));
            assertThatThrownBy(() -> TopicMigration.fromKafka(KafkaBroker.bootstrapServers(), topic)
                            .toEmbedded(log)
                            .start())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("embedded topic '" + topic + "'")
                    .hasMessageContaining("already exists and no migration into it is recorded");
            assertThatThrownBy(() -> TopicMigration.fromEmbedded(log, topic)
                            .toEmbedded(log)
                            .start())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("toKafka(bootstrapServers) is required: an embedded topic moves to Kafka");
        }
    }

    /** Keyed records with headers and timestamps, and keyless ones sent to a partition of their own. */
    private static void produce(String topic, int count) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                byte[] key = i % 10 == 9 ? null : bytes("k" + (i % 23));
                Integer partition = key == null ? i % PARTITIONS : null;
                ProducerRecord<byte[], byte[]> record =
                        new ProducerRecord<>(topic, partition, EPOCH + i, key, bytes("v" + i));
                record.headers().add("trace", bytes("t" + i));
                if (i % 3 == 0) {
                    record.headers().add("trace", bytes("again"));
                }
                producer.send(record);
            }
            producer.flush();
        }
    }

    private static Map<Integer, List<ConsumerRecord<byte[], byte[]>>> readKafka(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.bootstrapServers());
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> byPartition = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(topic, p));
                byPartition.put(p, new ArrayList<>());
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    byPartition.get(r.partition()).add(r);
                }
            }
        }
        return byPartition;
    }

    private static void commit(String group, String topic, Map<Integer, Long> offsets) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.bootstrapServers());
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        offsets.forEach((p, o) -> commits.put(new TopicPartition(topic, p), new OffsetAndMetadata(o)));
        try (Admin admin = Admin.create(props)) {
            admin.alterConsumerGroupOffsets(group, commits).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static void deleteRecords(String topic, Map<Integer, Long> below) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.bootstrapServers());
        Map<TopicPartition, RecordsToDelete> deletions = new HashMap<>();
        below.forEach((p, o) -> deletions.put(new TopicPartition(topic, p), RecordsToDelete.beforeOffset(o)));
        try (Admin admin = Admin.create(props)) {
            admin.deleteRecords(deletions).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static List<Long> ends(Map<Integer, Long> byPartition) {
        List<Long> ends = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            ends.add(byPartition.get(p));
        }
        return ends;
    }

    private static long[] toArray(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
