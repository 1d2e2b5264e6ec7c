package dev.ordo.examples;

import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.Serde;
import dev.ordo.engine.Serdes;
import dev.ordo.kafka.EmbeddedKafka;
import dev.ordo.kafka.KafkaOrdoAdmin;
import dev.ordo.kafka.KafkaOrdoConsumer;
import dev.ordo.kafka.KafkaOrdoProducer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The README's first example on Apache Kafka: the same steps as {@link EmbeddedQuickstart} through a
 * cluster. Run it with the bootstrap servers as the argument; without one it starts a broker inside the
 * JVM ({@link EmbeddedKafka}), so it needs nothing installed.
 */
public final class KafkaQuickstart {

    private KafkaQuickstart() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0) {
            System.out.println(balances(args[0]));
            return;
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            System.out.println(balances(kafka.bootstrapServers())); // {ACC-1=700, ACC-2=50}
        }
    }

    /** Runs the example on the cluster at {@code bootstrap} (without a topic "ledger" yet). */
    static Map<String, Long> balances(String bootstrap) throws InterruptedException {
        Map<String, Long> balances = new ConcurrentHashMap<>();
        Serde<Txn> txns = Serdes.json(Txn.class);
        try (KafkaOrdoAdmin admin = KafkaOrdoAdmin.create(bootstrap)) {
            admin.createTopic("ledger", 8, (short) -1); // -1: the cluster's default replication factor
        }
        try (KafkaOrdoProducer<String, Txn> producer = KafkaOrdoProducer.builder(
                        bootstrap, "ledger", Serdes.string(), txns)
                .build()) {
            producer.send("ACC-1", new Txn(1000));
            producer.send("ACC-1", new Txn(-300));
            producer.send("ACC-2", new Txn(50)).join(); // idempotent, acknowledged by all in-sync replicas
        }
        try (RecordConsumer consumer = KafkaOrdoConsumer.builder(bootstrap, "ledger", Serdes.string(), txns)
                .group("balances")
                .concurrency(64) // up to 64 accounts at once, also within one partition
                .handler(record -> balances.merge(record.key(), record.value().amount(), Long::sum))
                .start()) {
            consumer.awaitCaughtUp(Duration.ofSeconds(30));
        }
        return balances;
    }
}
