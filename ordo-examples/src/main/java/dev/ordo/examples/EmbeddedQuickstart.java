package dev.ordo.examples;

import dev.ordo.engine.Ordering;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.Serde;
import dev.ordo.engine.Serdes;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The README's first example, on the embedded engine: open a data directory, create a topic, send three
 * transactions, let a consumer group compute the balances, close. Run it with a data directory as the
 * argument (a temporary one without).
 */
public final class EmbeddedQuickstart {

    private EmbeddedQuickstart() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        Path dataDir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("ordo-quickstart");
        System.out.println(balances(dataDir)); // {ACC-1=700, ACC-2=50}
    }

    /** Runs the example in {@code dataDir} (which must not hold a topic "ledger" yet) and returns the balances. */
    static Map<String, Long> balances(Path dataDir) throws IOException, InterruptedException {
        Map<String, Long> balances = new ConcurrentHashMap<>();
        Serde<Txn> txns = Serdes.json(Txn.class); // record Txn(long amount) {}, as JSON
        try (EmbeddedLog log = EmbeddedLog.open(dataDir)) {
            log.createTopic("ledger", TopicSpec.partitions(8));
            try (OrdoProducer<String, Txn> producer =
                    OrdoProducer.builder(log, "ledger", Serdes.string(), txns).build()) {
                producer.send("ACC-1", new Txn(1000));
                producer.send("ACC-1", new Txn(-300));
                producer.send("ACC-2", new Txn(50)).join(); // acknowledged: stored as the topic's fsync policy says
            } // close() sends what is queued and waits for it
            try (RecordConsumer consumer = OrdoConsumer.builder(log, "ledger", Serdes.string(), txns)
                    .group("balances") // its offsets are committed in the data directory
                    .ordering(Ordering.KEY) // the default: accounts in parallel, each account in order
                    .handler(record ->
                            balances.merge(record.key(), record.value().amount(), Long::sum))
                    .start()) {
                consumer.awaitCaughtUp(Duration.ofSeconds(30)); // everything sent so far is handled
            } // close() lets running handlers finish, commits and leaves the group
        }
        return balances;
    }
}
