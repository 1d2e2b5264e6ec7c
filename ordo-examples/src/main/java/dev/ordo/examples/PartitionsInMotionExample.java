package dev.ordo.examples;

import dev.ordo.engine.Ordering;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.Serdes;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import dev.ordo.partition.Placement;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A topic of the embedded engine that grows from 4 to 8 partitions and shrinks to 3 while a producer sends
 * and a consumer group handles: every key's values still arrive in the order they were sent.
 */
public final class PartitionsInMotionExample {

    private PartitionsInMotionExample() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        try (EmbeddedLog log = EmbeddedLog.open(Files.createTempDirectory("ordo-moving"))) {
            System.out.println(run(log));
        }
    }

    /** Each key's values in the order the group handled them. */
    static Map<String, List<Integer>> run(EmbeddedLog log) throws IOException, InterruptedException {
        Map<String, List<Integer>> perKey = new ConcurrentHashMap<>();
        log.createTopic("orders", TopicSpec.partitions(4).placement(Placement.JUMP));
        try (RecordConsumer consumer = OrdoConsumer.builder(log, "orders", Serdes.string(), Serdes.json(Integer.class))
                        .group("orders")
                        .ordering(Ordering.KEY)
                        .handler(record -> perKey.computeIfAbsent(record.key(), k -> new CopyOnWriteArrayList<>())
                                .add(record.value()))
                        .start();
                OrdoProducer<String, Integer> producer = OrdoProducer.builder(
                                log, "orders", Serdes.string(), Serdes.json(Integer.class))
                        .build()) {
            send(producer, 0);
            log.alterPartitions("orders", 8); // producers pause for a moment; keys' order is kept
            send(producer, 1_000);
            log.alterPartitions("orders", 3); // partitions 3 to 7 retire: they drain, then get nothing
            send(producer, 2_000);
            producer.flush();
            consumer.awaitCaughtUp(Duration.ofSeconds(30));
        }
        return perKey;
    }

    private static void send(OrdoProducer<String, Integer> producer, int from) {
        for (int i = from; i < from + 1_000; i++) {
            producer.send("key-" + i % 100, i);
        }
    }
}
