package dev.ordo.kafka;

import dev.ordo.OrdoInterruptedException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Creates and grows topics so that Ordo keeps each key's order across the growth: the partition
 * counts a topic has had are recorded ({@link #layoutHistory}) before Kafka's
 * {@code createPartitions} runs, so every {@link KafkaOrdoProducer} knows where a key lived before
 * and fences its new records behind the old ones ({@link PartitionFence}). Growing a topic with
 * Kafka's own tools also works while an Ordo producer is running (it records what it sees); a
 * producer that was not running learns the old count only from this history.
 *
 * <pre>{@code
 * try (KafkaOrdoAdmin admin = KafkaOrdoAdmin.create("localhost:9092")) {
 *     admin.createTopic("ledger", 4, (short) 3);
 *     admin.growPartitions("ledger", 8);
 * }
 * }</pre>
 */
public final class KafkaOrdoAdmin implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Admin admin;
    private final Properties connection;
    private final LayoutHistory histories;

    private KafkaOrdoAdmin(Properties connection) {
        this.connection = connection;
        this.admin = Admin.create(connection);
        this.histories = new LayoutHistory(connection);
    }

    public static KafkaOrdoAdmin create(String bootstrapServers) {
        return create(bootstrapServers, new Properties());
    }

    /** {@code settings}: security settings ({@code security.*}, {@code sasl.*}, {@code ssl.*}) for the cluster. */
    public static KafkaOrdoAdmin create(String bootstrapServers, Properties settings) {
        return new KafkaOrdoAdmin(connection(bootstrapServers, settings));
    }

    /**
     * The bootstrap servers and the security settings among {@code settings}: what every client of
     * the cluster needs.
     */
    static Properties connection(String bootstrapServers, Properties settings) {
        Properties connection = new Properties();
        settings.forEach((k, v) -> {
            String name = String.valueOf(k);
            if (name.startsWith("security.") || name.startsWith("sasl.") || name.startsWith("ssl.")) {
                connection.put(name, v);
            }
        });
        connection.put(
                CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                Objects.requireNonNull(bootstrapServers, "bootstrapServers must not be null"));
        return connection;
    }

    /**
     * Creates {@code topic} with {@code partitions} partitions and waits until each has a leader.
     *
     * @param replicationFactor replicas per partition, or -1 for the broker's default
     */
    public void createTopic(String topic, int partitions, short replicationFactor) {
        requirePositive(partitions);
        Optional<Short> replicas = replicationFactor < 0 ? Optional.empty() : Optional.of(replicationFactor);
        run(
                "create topic " + topic,
                () -> admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), replicas)))
                        .all()
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        histories.write(topic, List.of(partitions));
        awaitLeaders(topic, partitions);
    }

    /**
     * Grows {@code topic} to {@code partitions} partitions, recording the new count in its history
     * first, and waits until each partition has a leader. Producers take the new count up when
     * their metadata shows it ({@code metadata.max.age.ms}), consumers start reading the new
     * partitions when theirs does.
     *
     * @throws IllegalArgumentException if {@code partitions} is not more than the topic has now
     */
    public void growPartitions(String topic, int partitions) {
        int now = describe(topic).partitions().size();
        if (partitions <= now) {
            throw new IllegalArgumentException(
                    "partitions must be more than the " + now + " topic " + topic + " has, not " + partitions);
        }
        List<Integer> history = histories.read(topic);
        histories.write(topic, LayoutHistory.extended(LayoutHistory.extended(history, now), partitions));
        run(
                "grow topic " + topic,
                () -> admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(partitions)))
                        .all()
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        awaitLeaders(topic, partitions);
    }

    /** Deletes {@code topic} and its recorded partition history. */
    public void deleteTopic(String topic) {
        run(
                "delete topic " + topic,
                () -> admin.deleteTopics(List.of(topic)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        if (!histories.read(topic).isEmpty()) {
            histories.forget(topic);
        }
    }

    /** The partition counts {@code topic} has had, oldest first, as far as they were recorded (empty if never). */
    public List<Integer> layoutHistory(String topic) {
        return histories.read(topic);
    }

    /** Whether {@code topic} exists. */
    public boolean exists(String topic) {
        boolean[] found = new boolean[1];
        run(
                "list topics",
                () -> found[0] = admin.listTopics()
                        .names()
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                        .contains(topic));
        return found[0];
    }

    /** The number of partitions {@code topic} has now. */
    public int partitions(String topic) {
        return describe(topic).partitions().size();
    }

    @Override
    public void close() {
        admin.close();
    }

    private TopicDescription describe(String topic) {
        TopicDescription[] found = new TopicDescription[1];
        run(
                "describe topic " + topic,
                () -> found[0] = admin.describeTopics(List.of(topic))
                        .allTopicNames()
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                        .get(topic));
        return found[0];
    }

    /**
     * Waits until every partition has a leader that serves it: the metadata names a leader slightly
     * before the leader's replica manager has the partition, and an idempotent producer writing in
     * that moment can lose records (KAFKA-15591). Reading the end offsets succeeds only once the
     * leader serves the partition.
     */
    private void awaitLeaders(String topic, int partitions) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            TopicDescription d = describe(topic);
            if (d.partitions().size() >= partitions && d.partitions().stream().allMatch(p -> p.leader() != null)) {
                endOffsets(connection, topic, partitions);
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the partitions of " + topic + " have no leader after " + TIMEOUT);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(50); // polling the cluster's metadata; Kafka offers no notification
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OrdoInterruptedException("interrupted while waiting for the leaders of " + topic, e);
            }
        }
    }

    /**
     * The end offset of each of the first {@code partitions} partitions of {@code topic}, asked of
     * their leaders (which retries until each leader serves its partition, up to 30 s).
     */
    static Map<Integer, Long> endOffsets(Properties connection, String topic, int partitions) {
        Properties props = new Properties();
        props.putAll(connection);
        try (KafkaConsumer<byte[], byte[]> offsets =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> all = IntStream.range(0, partitions)
                    .mapToObj(p -> new TopicPartition(topic, p))
                    .toList();
            Map<Integer, Long> ends = new HashMap<>();
            offsets.endOffsets(all, TIMEOUT).forEach((tp, end) -> ends.put(tp.partition(), end));
            return ends;
        }
    }

    private static void requirePositive(int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, not " + partitions);
        }
    }

    private interface Call {
        void run() throws InterruptedException, ExecutionException, TimeoutException;
    }

    private static void run(String what, Call call) {
        try {
            call.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrdoInterruptedException("interrupted: " + what, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "could not " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("could not " + what + " within " + TIMEOUT, e);
        }
    }
}
