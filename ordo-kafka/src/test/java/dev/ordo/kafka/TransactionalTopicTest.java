package dev.ordo.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.Serdes;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** A topic written in Kafka transactions: only committed records are handled, and the consumer catches up. */
class TransactionalTopicTest {

    @Test
    void onlyCommittedRecordsAreHandledAndTheConsumerCatchesUpPastTheCommitMarkers() throws Exception {
        String topic = "transactional";
        KafkaBroker.createTopic(topic, 2);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "transactional-test");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            send(producer, topic, "committed-a", 50);
            producer.commitTransaction();
            send(producer, topic, "aborted", 10);
            producer.flush();
            producer.abortTransaction();
            send(producer, topic, "committed-b", 50);
            producer.commitTransaction(); // each partition now ends with a commit marker
        }
        List<String> handled = new CopyOnWriteArrayList<>();
        try (RecordConsumer consumer = KafkaOrdoConsumer.builder(
                        KafkaBroker.bootstrapServers(), topic, Serdes.string(), Serdes.string())
                .group("transactional-readers")
                .handler(r -> handled.add(r.value()))
                .start()) {
            assertThat(consumer.awaitCaughtUp(Duration.ofSeconds(30)))
                    .as("caught up (lag %s)", consumer.lag())
                    .isTrue();
        }
        assertThat(handled).hasSize(100).noneMatch(v -> v.startsWith("aborted"));
    }

    private static void send(KafkaProducer<String, String> producer, String topic, String prefix, int count) {
        producer.beginTransaction();
        for (int i = 0; i < count; i++) {
            producer.send(new ProducerRecord<>(topic, "key-" + (i % 7), prefix + "-" + i));
        }
    }
}
