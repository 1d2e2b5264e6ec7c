package dev.ordo.migrate;

import dev.ordo.OrdoInterruptedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Where migrations keep their state: the compacted one-partition topic {@value #TOPIC} (key: the
 * migration's id, value: its {@link MigrationState} as JSON), written in the same Kafka transaction as
 * the records each step copies, so the state never claims a record that is not there, nor misses one that
 * is. Read with {@code read_committed}: an aborted step is invisible.
 */
final class MigrationStore {

    static final String TOPIC = "_ordo_migrations";

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Properties client;

    MigrationStore(Properties client) {
        this.client = client;
    }

    /** Creates the state topic unless it exists. */
    void create(Admin admin) {
        NewTopic topic = new NewTopic(TOPIC, Optional.of(1), Optional.empty())
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        try {
            admin.createTopics(List.of(topic)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create the migration state topic " + TOPIC, e.getCause());
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "the migration state topic " + TOPIC + " was not created within " + TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrdoInterruptedException("interrupted while creating " + TOPIC, e);
        }
    }

    /** Adds {@code state} to the producer's open transaction. */
    void write(Producer<byte[], byte[]> producer, String id, MigrationState state) {
        producer.send(new ProducerRecord<>(TOPIC, 0, bytes(id), state.toJson().getBytes(StandardCharsets.UTF_8)));
    }

    /** The last committed state of migration {@code id}, if it started. */
    Optional<MigrationState> read(String id) throws IOException {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        TopicPartition partition = new TopicPartition(TOPIC, 0);
        String last = null;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), TIMEOUT).get(partition);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (consumer.position(partition, TIMEOUT) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IOException(
                            "could not read " + TOPIC + " to its end " + end + " within " + TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && id.equals(new String(r.key(), StandardCharsets.UTF_8))) {
                        last = r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8);
                    }
                }
            }
        }
        return last == null ? Optional.empty() : Optional.of(MigrationState.fromJson(last));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
