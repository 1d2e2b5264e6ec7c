package dev.ordo.examples;

import dev.ordo.engine.OrdoRecord;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.Serdes;
import dev.ordo.log.consumer.JsonSnapshotState;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import dev.ordo.log.storage.FsyncPolicy;
import dev.ordo.log.storage.LogConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The embedded engine's own settings: a topic's fsync policy and retention, a producer's identity and
 * bounds, a consumer whose application state is committed with its offsets (exactly-once effects on that
 * state), and a replay from a point in time.
 */
public final class EmbeddedLogExample {

    /**
     * The balances a consumer keeps in a {@link JsonSnapshotState}: a concurrent map, declared as such, since
     * handlers of different accounts change it at once and Jackson restores the declared type.
     */
    public record Balances(ConcurrentHashMap<String, Long> byAccount) {
        static Balances empty() {
            return new Balances(new ConcurrentHashMap<>());
        }

        void apply(OrdoRecord<String, Txn> record) {
            byAccount.merge(record.key(), record.value().amount(), Long::sum);
        }
    }

    private EmbeddedLogExample() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        Path dataDir = Files.createTempDirectory("ordo-embedded");
        try (EmbeddedLog log = EmbeddedLog.open(dataDir)) {
            createTopic(log);
            send(log, List.of(new Txn(1000), new Txn(-300)));
            System.out.println(balancesCommittedWithOffsets(log, dataDir.resolve("balances.json")));
            System.out.println(replayLastHour(log));
        }
    }

    static void createTopic(EmbeddedLog log) throws IOException {
        log.createTopic(
                "ledger",
                TopicSpec.partitions(8)
                        .fsync(FsyncPolicy.everyBatch()) // acknowledged = forced to disk: survives a power loss
                        .retention(LogConfig.Retention.age(Duration.ofDays(7)))); // older segments are deleted
    }

    /** Sends the transactions for ACC-1 as teller-1. */
    static void send(EmbeddedLog log, List<Txn> txns) {
        try (OrdoProducer<String, Txn> producer = OrdoProducer.builder(
                        log, "ledger", Serdes.string(), Serdes.json(Txn.class))
                .name("teller-1") // a stable identity: building it again fences the previous instance
                .linger(Duration.ofMillis(1)) // wait up to 1 ms for fuller batches (default 0)
                .bufferBytes(32 << 20) // records queued and not yet acknowledged, at most; send waits beyond
                .maxBlock(Duration.ofSeconds(60)) // and then throws OverloadedException
                .build()) {
            for (Txn txn : txns) {
                producer.send("ACC-1", txn);
            }
        }
    }

    /** Applies every record not yet in the state, once, and returns the balances. */
    static Map<String, Long> balancesCommittedWithOffsets(EmbeddedLog log, Path stateFile) throws InterruptedException {
        JsonSnapshotState<Balances> state = new JsonSnapshotState<>(stateFile, Balances.class, Balances::empty);
        try (RecordConsumer consumer = OrdoConsumer.builder(log, "ledger", Serdes.string(), Serdes.json(Txn.class))
                .group("balances") // must be alone in its group
                .committedState(state) // offsets and state in one atomic file write, at a moment no handler runs
                .handler(record -> state.value().apply(record))
                .start()) {
            consumer.awaitCaughtUp(Duration.ofSeconds(30));
        }
        return Map.copyOf(state.value().byAccount());
    }

    /** Reads again what was appended in the last hour, in a group of its own. */
    static List<Txn> replayLastHour(EmbeddedLog log) throws InterruptedException {
        List<Txn> audit = new CopyOnWriteArrayList<>();
        try (RecordConsumer replay = OrdoConsumer.builder(log, "ledger", Serdes.string(), Serdes.json(Txn.class))
                .group("audit")
                .seekToTime(Instant.now().minus(Duration.ofHours(1))) // or seek(partition, offset)
                .handler(record -> audit.add(record.value()))
                .start()) {
            replay.awaitCaughtUp(Duration.ofSeconds(30));
        }
        return audit;
    }
}
