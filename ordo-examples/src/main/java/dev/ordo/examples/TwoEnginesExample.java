package dev.ordo.examples;

import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serde;
import dev.ordo.engine.Serdes;
import dev.ordo.exec.Retry;
import dev.ordo.kafka.KafkaOrdoConsumer;
import dev.ordo.kafka.KafkaOrdoProducer;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.producer.OrdoProducer;
import java.time.Duration;

/**
 * One application on either engine: written against {@link RecordProducer}, {@link ConsumerBuilder} and
 * {@link RecordConsumer}, it moves from the embedded log to Kafka by changing how the producer and the
 * consumer builder are made.
 */
public final class TwoEnginesExample {

    private TwoEnginesExample() {}

    /**
     * Sends three transactions and applies them to {@code ledger}: on the embedded engine {@code log} when
     * {@code kafkaBootstrap} is null, else on that Kafka cluster. The topic "ledger" must exist.
     */
    static void run(EmbeddedLog log, String kafkaBootstrap, Ledger ledger) throws InterruptedException {
        Serde<String> accounts = Serdes.string();
        Serde<Txn> txns = Serdes.json(Txn.class);
        RecordProducer<String, Txn> producer;
        ConsumerBuilder<?, String, Txn> consumer;
        if (kafkaBootstrap == null) {
            producer = OrdoProducer.builder(log, "ledger", accounts, txns).build();
            consumer = OrdoConsumer.builder(log, "ledger", accounts, txns);
        } else {
            producer = KafkaOrdoProducer.builder(kafkaBootstrap, "ledger", accounts, txns)
                    .build();
            consumer = KafkaOrdoConsumer.builder(kafkaBootstrap, "ledger", accounts, txns);
        }

        try (producer) {
            producer.send("ACC-1", new Txn(1000));
            producer.send("ACC-1", new Txn(-300));
            producer.send("ACC-2", new Txn(50));
        }
        try (RecordConsumer running = startBalances(consumer, ledger)) {
            running.awaitCaughtUp(Duration.ofSeconds(30));
        }
    }

    /** The application's consumer, the same on both engines. */
    static RecordConsumer startBalances(ConsumerBuilder<?, String, Txn> consumer, Ledger ledger) {
        return consumer.group("balances")
                .ordering(Ordering.KEY)
                .retry(Retry.exponential(3))
                .handler(record -> ledger.apply(record.key(), record.value()))
                .start();
    }
}
