package dev.ordo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.check.CheckReport;
import dev.ordo.check.History;
import dev.ordo.check.Message;
import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.OrdoRecord;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.RecordHandler;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.kafka.EmbeddedKafka;
import dev.ordo.kafka.KafkaOrdoAdmin;
import dev.ordo.kafka.KafkaOrdoConsumer;
import dev.ordo.kafka.KafkaOrdoProducer;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One piece of application code, written against {@link RecordProducer}, {@link ConsumerBuilder}
 * and {@link OrdoRecord}, runs on the embedded log and on Kafka: only the creation of the producer
 * and of the consumer builder differs.
 */
class SameCodeOnBothEnginesTest {

    /** The application: sends 2,000 records over 40 keys and handles them in key order. */
    private static CheckReport application(
            RecordProducer<String, String> producer, ConsumerBuilder<?, String, String> consumerBuilder)
            throws Exception {
        History history = new History();
        AtomicInteger handled = new AtomicInteger();
        RecordHandler<String, String> handler = r -> {
            history.received(new Message(r.key(), r.key(), -1, r.value()));
            handled.incrementAndGet();
        };
        RecordConsumer consumer = consumerBuilder
                .group("app")
                .ordering(Ordering.KEY)
                .concurrency(4)
                .handler(handler)
                .start();
        try (producer) {
            for (int i = 0; i < 2_000; i++) {
                String key = "k" + (i % 40);
                history.sent(new Message(key, key, -1, String.valueOf(i)));
                producer.send(key, String.valueOf(i));
            }
            producer.flush();
        }
        assertThat(consumer.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
        consumer.close();
        assertThat(consumer.stats().handled()).isEqualTo(2_000);
        assertThat(handled.get()).isEqualTo(2_000);
        return history.check();
    }

    @Test
    void onTheEmbeddedLog(@TempDir Path dir) throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            log.createTopic("app", TopicSpec.partitions(4));
            CheckReport report = application(
                    OrdoProducer.builder(log, "app", Serdes.string(), Serdes.string())
                            .build(),
                    OrdoConsumer.builder(log, "app", Serdes.string(), Serdes.string()));
            assertThat(report.isClean()).as(report.summary()).isTrue();
        }
    }

    @Test
    void onKafka() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                KafkaOrdoAdmin admin = KafkaOrdoAdmin.create(kafka.bootstrapServers())) {
            admin.createTopic("app", 4, (short) 1);
            CheckReport report = application(
                    KafkaOrdoProducer.builder(kafka.bootstrapServers(), "app", Serdes.string(), Serdes.string())
                            .build(),
                    KafkaOrdoConsumer.builder(kafka.bootstrapServers(), "app", Serdes.string(), Serdes.string()));
            assertThat(report.isClean()).as(report.summary()).isTrue();
        }
    }
}
