package dev.ordo.cli.demo;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.Serdes;
import dev.ordo.log.consumer.JsonSnapshotState;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import dev.ordo.log.storage.AtomicFile;
import dev.ordo.log.storage.FsyncPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The ledger on the embedded engine: released operations are appended by an idempotent producer to
 * the topic {@code ledger} (keyed by account, fsync before every acknowledgement), and a consumer
 * group applies them in KEY order with the ledger as its committed state, so balances and offsets
 * are saved together. The resequencer's checkpoint (each teller's next expected number) is written
 * to {@code ingest.json} only after the producer has flushed what was released before it.
 *
 * <p>After a kill, the tellers resume from that checkpoint; what they send again was appended
 * already and reaches the ledger twice, where {@link Ledger#applyOnce} drops it by its teller
 * sequence number. So every operation changes its balance exactly once.
 */
final class EngineDownstream implements ConsumerBacked {

    static final String TOPIC = "ledger";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path data;
    private final EmbeddedLog log;
    private final JsonSnapshotState<Ledger> state;
    private final OrdoConsumer<String, String> consumer;
    private final OrdoProducer<String, String> producer;
    private final Map<String, Long> restored;
    private volatile CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);
    /** Operations submitted and handled by this process (not by a killed predecessor). */
    private final AtomicLong submitted = new AtomicLong();

    private final AtomicLong handled = new AtomicLong();

    EngineDownstream(Path data, int threads, MeterRegistry registry, BiConsumer<Ledger, Txn> apply) throws IOException {
        this.data = data;
        Files.createDirectories(data);
        this.log = EmbeddedLog.open(data.resolve("log"));
        try {
            if (!log.listTopics().contains(TOPIC)) {
                log.createTopic(TOPIC, TopicSpec.partitions(8).fsync(FsyncPolicy.everyBatch()));
            }
            log.bindTo(registry);
            this.restored = readCheckpoint(data);
            this.state = new JsonSnapshotState<>(stateFile(data), Ledger.class, Ledger::new);
            this.consumer = OrdoConsumer.builder(log, TOPIC, Serdes.string(), Serdes.string())
                    .group("balances")
                    .ordering(Ordering.KEY)
                    .concurrency(threads)
                    .maxInFlight(10_000)
                    .committedState(state)
                    .commitInterval(Duration.ofMillis(200))
                    .metrics(registry)
                    .handler(r -> {
                        apply.accept(state.value(), Txn.decode(r.value()));
                        handled.incrementAndGet();
                    })
                    .start();
            this.producer = OrdoProducer.builder(log, TOPIC, Serdes.string(), Serdes.string())
                    .name("ledger-ingest")
                    .build();
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
    }

    static Path stateFile(Path data) {
        return data.resolve("ledger-state.json");
    }

    /** The ledger as last committed in {@code data} (for checking a run from outside). */
    static Ledger committedLedger(Path data) throws IOException {
        JsonSnapshotState<Ledger> state = new JsonSnapshotState<>(stateFile(data), Ledger.class, Ledger::new);
        state.restore();
        return state.value();
    }

    @Override
    public Ledger ledger() {
        return state.value();
    }

    @Override
    public void submit(Txn txn) {
        submitted.incrementAndGet();
        lastSend = producer.send(txn.account(), txn.encode());
    }

    @Override
    public void checkpoint(Supplier<Map<String, Long>> resequencer) throws IOException {
        Map<String, Long> next = resequencer.get(); // taken before the flush: all released below it is sent
        producer.flush();
        lastSend.join(); // a failed send fails the run here rather than checkpointing past it
        AtomicFile.write(data.resolve("ingest.json"), JSON.writeValueAsBytes(next));
    }

    @Override
    public Map<String, Long> restoredCheckpoint() {
        return restored;
    }

    @Override
    public void awaitApplied(Map<String, Long> lastSequencePerAccount) throws TimeoutException {
        LedgerDownstream.awaitApplied(
                state.value(), lastSequencePerAccount, handled::get, submitted::get, this::parked);
    }

    @Override
    public RecordConsumer consumer() {
        return consumer;
    }

    @Override
    public void close() throws IOException {
        try (log) {
            producer.close();
            consumer.close();
        }
    }

    private static Map<String, Long> readCheckpoint(Path data) throws IOException {
        Path file = data.resolve("ingest.json");
        return Files.exists(file) ? JSON.readValue(file.toFile(), new TypeReference<Map<String, Long>>() {}) : Map.of();
    }
}
