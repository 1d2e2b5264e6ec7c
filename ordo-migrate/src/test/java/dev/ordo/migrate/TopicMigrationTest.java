package dev.ordo.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.engine.Acknowledgement;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopicMigrationTest {

    private static final int KEYS = 40;
    private static final AtomicInteger TOPICS = new AtomicInteger();

    @TempDir
    Path dir;

    /** What a consumer handled, per key, in the order it handled it. */
    private final Map<String, List<Long>> handled = new ConcurrentHashMap<>();

    @Test
    void aLiveTopicMovesToKafkaWithItsProducerAndGroupLosingAndReorderingNothing() throws Exception {
        String topic = "live-" + TOPICS.incrementAndGet();
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            log.createTopic(topic, TopicSpec.partitions(4));
            try (TopicMigration migration = TopicMigration.fromEmbedded(log, topic)
                    .toKafka(KafkaBroker.bootstrapServers())
                    .partitions(3)
                    .start()) {
                RecordProducer<String, String> producer = migration.producer(Serdes.string(), Serdes.string());
                List<RecordConsumer> members = List.of(embeddedMember(log, topic), embeddedMember(log, topic));
                Sender sender = new Sender(producer);
                sender.start();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> sender.sent.get() >= 3_000); // a backlog, the producer still sending
                assertThat(migration.awaitCopied(Duration.ofSeconds(30))).isTrue();

                TopicMigration.Fence fence = migration.switchOver(); // the sender sending all along
                int atSwitch = sender.sent.get();
                List<RecordConsumer> onKafka =
                        migration.handOver("balances", members, () -> kafkaMember(topic), Duration.ofSeconds(30));
                await().atMost(Duration.ofSeconds(30)).until(() -> sender.sent.get() >= atSwitch + 2_000);
                sender.finish();

                assertThat(sender.failures).hasValue(0);
                int sent = sender.sent.get();
                await().atMost(Duration.ofSeconds(20)).until(() -> total() >= sent);
                onKafka.forEach(RecordConsumer::close);
                producer.close();

                assertThat(fence.sourceEnds()).hasSize(4);
                assertThat(fence.targetEnds()).hasSize(3);
                handled.forEach((key, seqs) -> assertThat(seqs)
                        .as("key %s handled each of its records once, in order", key)
                        .isEqualTo(range(seqs.size())));
                assertThat(total()).isEqualTo(sent);
                assertThatThrownBy(() -> log.append(topic, bytes("k"), bytes("late")))
                        .isInstanceOf(TopicSealedException.class)
                        .hasMessageContaining("moved to Kafka topic '" + topic + "'");
            }
        }
    }

    private RecordConsumer embeddedMember(EmbeddedLog log, String topic) {
        return OrdoConsumer.builder(log, topic, Serdes.string(), Serdes.string())
                .group("balances")
                .concurrency(8)
                .handler(this::handle)
                .start();
    }

    private RecordConsumer kafkaMember(String topic) {
        return KafkaOrdoConsumer.builder(KafkaBroker.bootstrapServers(), topic, Serdes.string(), Serdes.string())
                .group("balances")
                .concurrency(8)
                .handler(this::handle)
                .start();
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

    /**
     * Sends over {@value #KEYS} keys, each key's values counting up from 0, until told to finish, waiting
     * for every 50th acknowledgement (so it keeps sending while the test switches).
     */
    private static final class Sender extends Thread {

        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();
        private final RecordProducer<String, String> producer;
        private volatile boolean finishing;

        Sender(RecordProducer<String, String> producer) {
            super("sender");
            this.producer = producer;
        }

        /** Stops sending and waits until every record sent is acknowledged or failed. */
        void finish() throws InterruptedException {
            finishing = true;
            join();
        }

        @Override
        public void run() {
            long[] next = new long[KEYS];
            List<CompletableFuture<Acknowledgement>> acks = new ArrayList<>();
            for (int i = 0; !finishing; i++) {
                int key = i % KEYS;
                CompletableFuture<Acknowledgement> ack = producer.send("key-" + key, Long.toString(next[key]++));
                acks.add(ack);
                sent.incrementAndGet();
                if (i % 50 == 49) {
                    ack.handle((a, e) -> e).join();
                }
            }
            for (CompletableFuture<Acknowledgement> ack : acks) {
                if (ack.handle((a, e) -> e).join() != null) {
                    failures.incrementAndGet();
                }
            }
        }
    }
}
