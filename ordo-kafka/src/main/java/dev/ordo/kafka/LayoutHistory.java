package dev.ordo.kafka;

import dev.ordo.OrdoInterruptedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The partition counts a topic has had, oldest first ({@code [4, 8, 16]}), kept in the compacted
 * topic {@value #TOPIC} (key: the topic's name, value: the counts separated by commas). Producers
 * read it to know where a key lived before the last expansions, so that they can fence its new
 * records behind the old ones ({@link PartitionFence}).
 */
final class LayoutHistory {

    /** The compacted topic holding every topic's history (one partition, created on first write). */
    static final String TOPIC = "_ordo_layouts";

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Properties client;

    /** {@code client}: the bootstrap servers and any security settings shared by Ordo's clients. */
    LayoutHistory(Properties client) {
        this.client = client;
    }

    /** The counts recorded for {@code topic}, oldest first; empty if none were recorded. */
    List<Integer> read(String topic) {
        Properties props = new Properties();
        props.putAll(client);
        try (KafkaConsumer<String, String> reader =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            if (!reader.listTopics(TIMEOUT).containsKey(TOPIC)) {
                return List.of();
            }
            TopicPartition only = new TopicPartition(TOPIC, 0);
            reader.assign(List.of(only));
            reader.seekToBeginning(List.of(only));
            long end = reader.endOffsets(List.of(only), TIMEOUT).get(only);
            String latest = null;
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (reader.position(only, TIMEOUT) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + TOPIC + " to its end within " + TIMEOUT);
                }
                for (ConsumerRecord<String, String> r : reader.poll(Duration.ofMillis(100))) {
                    if (topic.equals(r.key())) {
                        latest = r.value(); // null after a tombstone
                    }
                }
            }
            return latest == null ? List.of() : parse(latest);
        }
    }

    /**
     * Records {@code counts} as {@code topic}'s history (creating {@value #TOPIC} if needed) and
     * waits for the broker.
     */
    void write(String topic, List<Integer> counts) {
        ensureTopic();
        send(topic, format(counts));
    }

    /** Removes {@code topic}'s history (a tombstone, which compaction later drops). */
    void forget(String topic) {
        send(topic, null);
    }

    private void send(String topic, String value) {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<String, String> writer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            writer.send(new ProducerRecord<>(TOPIC, 0, topic, value)).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrdoInterruptedException("interrupted while recording the partition history of " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not record the partition history of " + topic, e);
        }
    }

    private void ensureTopic() {
        try (Admin admin = Admin.create(client)) {
            NewTopic compacted = new NewTopic(TOPIC, Optional.of(1), Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(compacted)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create " + TOPIC, e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrdoInterruptedException("interrupted while creating " + TOPIC, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("could not create " + TOPIC + " within " + TIMEOUT, e);
        }
    }

    static String format(List<Integer> counts) {
        return String.join(",", counts.stream().map(String::valueOf).toList());
    }

    static List<Integer> parse(String value) {
        List<Integer> counts = new ArrayList<>();
        try {
            for (String item : value.split(",")) {
                counts.add(Integer.parseInt(item.trim()));
            }
        } catch (NumberFormatException e) {
            throw new IllegalStateException("the partition history in " + TOPIC + " is damaged: '" + value + "'", e);
        }
        return List.copyOf(counts);
    }

    /** {@code history} followed by {@code count}, unless it already ends with it. */
    static List<Integer> extended(List<Integer> history, int count) {
        if (!history.isEmpty() && history.get(history.size() - 1) == count) {
            return history;
        }
        List<Integer> longer = new ArrayList<>(history);
        longer.add(count);
        return List.copyOf(longer);
    }
}
