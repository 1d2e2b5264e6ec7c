package dev.ordo.examples;

import dev.ordo.engine.Ordering;
import dev.ordo.engine.OrdoHeaders;
import dev.ordo.engine.OutgoingRecord;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.Serdes;
import dev.ordo.kafka.KafkaOrdoConsumer;
import dev.ordo.kafka.KafkaOrdoProducer;
import dev.ordo.kafka.KafkaSerdes;
import dev.ordo.sequence.Resequencer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * An ordering stage on Kafka: a teller's operations are keyed by account, so they spread over every
 * partition and a consumer reads them side by side, out of the teller's order; the sequence number each
 * carries in Ordo's headers lets a resequencer restore it.
 */
public final class StagesOnKafkaExample {

    private StagesOnKafkaExample() {}

    /** Sends {@code count} operations of teller-1 to "ops" (which must exist) and returns them resequenced. */
    static List<String> inTellerOrder(String bootstrap, int count) throws InterruptedException {
        try (KafkaOrdoProducer<String, String> producer = KafkaOrdoProducer.builder(
                        bootstrap, "ops", Serdes.string(), Serdes.string())
                .build()) {
            for (long sequence = 0; sequence < count; sequence++) {
                String account = "ACC-" + sequence % 50;
                producer.send(OutgoingRecord.of(account, "op-" + sequence)
                        .withHeaders(OrdoHeaders.sequenced("teller-1", sequence)));
            }
        }

        List<String> applied = new CopyOnWriteArrayList<>();
        Resequencer<String, String> resequencer = Resequencer.<String, String>builder()
                .maxBuffered(100_000)
                .build((teller, sequence, operation) -> applied.add(operation));
        try (RecordConsumer consumer = KafkaOrdoConsumer.builder(bootstrap, "ops", Serdes.string(), Serdes.string())
                .group("tellers")
                .ordering(Ordering.UNORDERED) // the resequencer restores the order
                .handler(record -> {
                    OrdoHeaders ordo = OrdoHeaders.of(record.headers());
                    resequencer.offer(ordo.source(), ordo.sequence(), record.value());
                })
                .start()) {
            consumer.awaitCaughtUp(Duration.ofSeconds(30));
        }
        return applied;
    }

    /** A consumer whose deserializers are Kafka's own. */
    static KafkaOrdoConsumer.Builder<String, Long> withKafkaDeserializers(String bootstrap) {
        return KafkaOrdoConsumer.builder(
                        bootstrap,
                        "orders",
                        KafkaSerdes.deserializer(new StringDeserializer()),
                        KafkaSerdes.deserializer(new LongDeserializer()))
                .group("orders")
                .property("session.timeout.ms", "15000") // any consumer setting but auto-commit and the assignor
                .property("security.protocol", "SSL");
    }
}
