package dev.ordo.migrate;

import dev.ordo.OrdoInterruptedException;
import dev.ordo.engine.Header;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serde;
import dev.ordo.kafka.KafkaOrdoAdmin;
import dev.ordo.kafka.KafkaOrdoProducer;
import dev.ordo.log.storage.Record;
import dev.ordo.partition.TopicLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A Kafka topic as a migration's source, for re-partitioning it into a new topic of any count. Read with
 * {@code read_committed}. Kafka cannot make a topic read-only: at the switch only the migration's own
 * producers ({@link TopicMigration#producer}) are stopped and moved, so the others must have stopped. A
 * topic that grew (its Ordo layout history has more than one count) is
 * refused: its keys' old records would have to be ordered before their new ones, which the copy of a
 * Kafka source does not do yet.
 */
final class KafkaSource implements MigrationSource {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Properties client;
    private final String topic;
    private final int partitions;
    private final KafkaConsumer<byte[], byte[]> reader;

    KafkaSource(Properties client, String topic) {
        this.client = client;
        this.topic = topic;
        try (KafkaOrdoAdmin admin = KafkaOrdoAdmin.create(client.getProperty("bootstrap.servers"), client)) {
            if (!admin.exists(topic)) {
                throw new IllegalArgumentException("Kafka topic '" + topic + "' does not exist");
            }
            this.partitions = admin.partitions(topic);
            List<Integer> history = admin.layoutHistory(topic);
            if (history.size() > 1) {
                throw new IllegalArgumentException("Kafka topic '" + topic + "' grew (partition counts " + history
                        + "); moving a topic that grew is not supported yet");
            }
        }
        Properties props = new Properties();
        props.putAll(client);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20"); // a read at the tail returns at once
        this.reader = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public String describe() {
        return "Kafka topic '" + topic + "'";
    }

    @Override
    public TopicLayout layout() {
        return TopicLayout.initial(partitions);
    }

    @Override
    public synchronized long startOffset(int p) {
        TopicPartition tp = new TopicPartition(topic, p);
        return reader.beginningOffsets(List.of(tp), TIMEOUT).get(tp);
    }

    @Override
    public synchronized long endOffset(int p) {
        TopicPartition tp = new TopicPartition(topic, p);
        return reader.endOffsets(List.of(tp), TIMEOUT).get(tp);
    }

    @Override
    public synchronized Batch read(int p, long from, int maxBytes) {
        TopicPartition tp = new TopicPartition(topic, p);
        if (!reader.assignment().equals(Set.of(tp))) {
            reader.assign(List.of(tp));
            reader.seek(tp, from);
        } else if (reader.position(tp, TIMEOUT) != from) {
            reader.seek(tp, from);
        }
        List<ConsumerRecord<byte[], byte[]>> polled = List.of();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (polled.isEmpty() && reader.position(tp, TIMEOUT) == from && System.nanoTime() < deadline) {
            polled = reader.poll(Duration.ofMillis(20)).records(tp); // until a fetch answered: records or markers
        }
        List<Record> records = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : polled) {
            List<Header> headers = new ArrayList<>();
            r.headers().forEach(h -> headers.add(new Header(h.key(), h.value())));
            records.add(new Record(r.offset(), r.timestamp(), r.key(), r.value(), headers));
        }
        return new Batch(records, reader.position(tp, TIMEOUT));
    }

    @Override
    public <K, V> RecordProducer<K, V> producer(Serde<K> keys, Serde<V> values) {
        return KafkaOrdoProducer.builder(client.getProperty("bootstrap.servers"), topic, keys, values)
                .properties(client)
                .build();
    }

    /**
     * Kafka cannot close a topic to producers, so this only reads the ends: producers not made by the
     * migration must have stopped (their records after the fence stay in the old topic).
     */
    @Override
    public long[] seal(String reason) {
        long[] ends = new long[partitions];
        for (int p = 0; p < partitions; p++) {
            ends[p] = endOffset(p);
        }
        return ends;
    }

    @Override
    public boolean sealed() {
        return false; // a switch cut short starts again from the copy
    }

    @Override
    public String groupHome() {
        try (Admin admin = Admin.create(client)) {
            return "kafka:" + admin.describeCluster().clusterId().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not read the id of the cluster of Kafka topic '" + topic + "'", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrdoInterruptedException("interrupted while reading the cluster's id", e);
        }
    }

    @Override
    public Map<String, Map<Integer, Long>> committedOffsets() {
        Map<String, Map<Integer, Long>> byGroup = new HashMap<>();
        try (Admin admin = Admin.create(client)) {
            for (ConsumerGroupListing group :
                    admin.listConsumerGroups().all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group.groupId())
                        .partitionsToOffsetAndMetadata()
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                offsets.forEach((tp, o) -> {
                    if (tp.topic().equals(topic) && o != null) {
                        byGroup.computeIfAbsent(group.groupId(), g -> new HashMap<>())
                                .put(tp.partition(), o.offset());
                    }
                });
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not list the groups of Kafka topic '" + topic + "'", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrdoInterruptedException("interrupted while listing groups", e);
        }
        return byGroup;
    }

    @Override
    public synchronized void close() {
        reader.close();
    }
}
