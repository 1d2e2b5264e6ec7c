package dev.ordo.examples;

import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serde;
import dev.ordo.engine.Serdes;
import dev.ordo.kafka.EmbeddedKafka;
import dev.ordo.kafka.KafkaOrdoConsumer;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicChange;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.storage.FsyncPolicy;
import dev.ordo.migrate.TopicMigration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The README's live-change and migration examples: a topic of the embedded engine changes its fsync policy
 * and its consumer its concurrency while running, then the topic moves to Kafka with its producer and its
 * group running. Run it with the bootstrap servers as the argument; without one it starts a broker.
 */
public final class MigrationExample {

    private MigrationExample() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("ordo-migration-example-");
        if (args.length > 0) {
            System.out.println(balances(dir, args[0]));
            return;
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            System.out.println(balances(dir, kafka.bootstrapServers())); // {ACC-1=700, ACC-2=50}
        }
    }

    /** Runs the example with the engine's data in {@code dir}, moving topic "accounts" to the cluster. */
    static Map<String, Long> balances(Path dir, String bootstrap) throws Exception {
        Map<String, Long> balances = new ConcurrentHashMap<>();
        Serde<Txn> txns = Serdes.json(Txn.class);
        Duration timeout = Duration.ofSeconds(30);
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            log.createTopic("accounts", TopicSpec.partitions(8));
            RecordConsumer consumer = OrdoConsumer.builder(log, "accounts", Serdes.string(), txns)
                    .group("balances")
                    .handler(record ->
                            balances.merge(record.key(), record.value().amount(), Long::sum))
                    .start();
            log.alterTopic("accounts", TopicChange.none().fsync(FsyncPolicy.everyBatch()));
            consumer.reconfigure(t -> t.withConcurrency(32).withMaxInFlight(50_000));

            Supplier<KafkaOrdoConsumer.Builder<String, Txn>> onKafka =
                    () -> KafkaOrdoConsumer.builder(bootstrap, "accounts", Serdes.string(), txns)
                            .group("balances")
                            .handler(record ->
                                    balances.merge(record.key(), record.value().amount(), Long::sum));
            TopicMigration migration = TopicMigration.fromEmbedded(log, "accounts")
                    .toKafka(bootstrap)
                    .start();
            RecordProducer<String, Txn> producer = migration.producer(Serdes.string(), txns);
            producer.send("ACC-1", new Txn(1000)).join(); // to the embedded engine
            migration.switchOver(); // from here the producer sends to Kafka
            List<RecordConsumer> members = migration.handOver("balances", List.of(consumer), onKafka, timeout);
            producer.send("ACC-1", new Txn(-300));
            producer.send("ACC-2", new Txn(50)).join();
            members.get(0).awaitCaughtUp(timeout);
            members.forEach(RecordConsumer::close);
            producer.close();
            migration.close();
        }
        return balances;
    }
}
