package dev.ordo.examples;

import dev.ordo.engine.Ordering;
import dev.ordo.engine.Serdes;
import dev.ordo.kafka.KafkaOrdoAdmin;
import dev.ordo.kafka.KafkaOrdoConsumer;
import dev.ordo.kafka.KafkaOrdoProducer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Growing a Kafka topic without reordering any key: the topic grows from 4 to 8 partitions between two
 * runs of sends, so most keys move, and the consumer still handles each key's records in the order they
 * were sent (a moved key's new partition waits until its old one is handled up to the growth point).
 */
public final class PartitionGrowthExample {

    /** What the consumer saw: each key's values in the order handled, and how often a partition waited. */
    record Outcome(Map<String, List<Integer>> perKey, long fenceWaits) {}

    private PartitionGrowthExample() {}

    /** Runs the example on topic "orders" (which must not exist yet). */
    static Outcome run(String bootstrap) throws InterruptedException {
        try (KafkaOrdoAdmin admin = KafkaOrdoAdmin.create(bootstrap)) {
            admin.createTopic("orders", 4, (short) -1);
        }
        try (KafkaOrdoProducer<String, Integer> producer = producer(bootstrap)) {
            int next = send(producer, 0, 2_000);
            grow(bootstrap);
            while (producer.partitions() < 8) {
                next = send(producer, next, 100); // until the producer takes the new count up
            }
            send(producer, next, 2_000);
        }

        Map<String, List<Integer>> perKey = new ConcurrentHashMap<>();
        try (KafkaOrdoConsumer<String, Integer> consumer = consumer(bootstrap)
                .handler(record -> perKey.computeIfAbsent(record.key(), k -> new CopyOnWriteArrayList<>())
                        .add(record.value()))
                .start()) {
            consumer.awaitCaughtUp(Duration.ofSeconds(30));
            return new Outcome(perKey, consumer.fenceWaits()); // times a moved key's partition waited
        }
    }

    /** A producer to "orders" that sees a growth within a second. */
    static KafkaOrdoProducer<String, Integer> producer(String bootstrap) {
        return KafkaOrdoProducer.builder(bootstrap, "orders", Serdes.string(), Serdes.json(Integer.class))
                .property("metadata.max.age.ms", "1000") // metadata refresh; Kafka's default: 5 minutes
                .build();
    }

    /** A consumer of "orders" that starts reading new partitions within a second. */
    static KafkaOrdoConsumer.Builder<String, Integer> consumer(String bootstrap) {
        return KafkaOrdoConsumer.builder(bootstrap, "orders", Serdes.string(), Serdes.json(Integer.class))
                .group("orders")
                .ordering(Ordering.KEY)
                .property("metadata.max.age.ms", "1000");
    }

    /** Grows "orders" to 8 partitions; producers and consumers take the count up when their metadata shows it. */
    static void grow(String bootstrap) {
        try (KafkaOrdoAdmin admin = KafkaOrdoAdmin.create(bootstrap)) {
            admin.growPartitions("orders", 8); // records [4, 8] in _ordo_layouts, then grows the topic
        }
    }

    /** Sends {@code count} numbers from {@code from} on, over 100 keys, and waits for them; returns the next. */
    private static int send(KafkaOrdoProducer<String, Integer> producer, int from, int count) {
        for (int i = from; i < from + count; i++) {
            producer.send("key-" + i % 100, i);
        }
        producer.flush();
        return from + count;
    }
}
