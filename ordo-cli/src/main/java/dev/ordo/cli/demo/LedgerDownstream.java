package dev.ordo.cli.demo;

import dev.ordo.exec.ExecutorStats;
import dev.ordo.exec.KeyOrderedExecutor;
import dev.ordo.exec.ParkedKey;
import dev.ordo.metrics.OrdoMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Where the ledger simulation's resequenced operations go to be applied: straight to a key-ordered
 * executor in memory, through the embedded engine's log ({@link EngineDownstream}) or through a
 * Kafka topic ({@link KafkaDownstream}).
 */
interface LedgerDownstream extends AutoCloseable {

    /** The ledger the operations are applied to (on the engine: the consumer's restored state). */
    Ledger ledger();

    /** Hands over the next released operation (in teller order per teller). */
    void submit(Txn txn);

    /**
     * Makes everything submitted durable and records {@code resequencer}'s checkpoint with it, so a
     * restart resumes the tellers from there. Nothing to do in memory.
     */
    void checkpoint(Supplier<Map<String, Long>> resequencer) throws Exception;

    /** The checkpoint a restart resumes from (empty on a first start). */
    Map<String, Long> restoredCheckpoint();

    /**
     * Waits until every account has had its last operation ({@code lastSequencePerAccount}) applied,
     * or, given an empty map, until everything submitted by this process was handled.
     */
    void awaitApplied(Map<String, Long> lastSequencePerAccount) throws Exception;

    /** Operations handed to the handlers and not yet applied. */
    long inFlight();

    /** What stops accounts: their operation failing every attempt, its key parked (empty normally). */
    List<String> parked();

    /** The most operations in flight at once. */
    long peakInFlight();

    @Override
    void close() throws Exception;

    /**
     * Where a run applies its operations: a short name for reports (memory, engine, kafka) and how to
     * open a {@link LedgerDownstream} for the run.
     */
    record Backend(String name, Opener opener) {
        /** Applies in memory ({@link InMemory}). */
        static final Backend IN_MEMORY = new Backend("memory", InMemory::new);

        /** The embedded engine with its data in {@code data} ({@link EngineDownstream}). */
        static Backend engine(Path data) {
            return new Backend(
                    "engine", (threads, registry, apply) -> new EngineDownstream(data, threads, registry, apply));
        }

        LedgerDownstream open(int threads, MeterRegistry registry, BiConsumer<Ledger, Txn> apply) throws Exception {
            return opener.open(threads, registry, apply);
        }
    }

    /** Opens a downstream with {@code threads} handler threads applying with {@code apply}. */
    @FunctionalInterface
    interface Opener {
        LedgerDownstream open(int threads, MeterRegistry registry, BiConsumer<Ledger, Txn> apply) throws Exception;
    }

    /**
     * Waits until every account in {@code ledger} has had its last operation applied, or, given an
     * empty map, until {@code handled} has caught up with {@code submitted} (without ordering, the
     * sequence numbers say nothing).
     */
    static void awaitApplied(
            Ledger ledger,
            Map<String, Long> lastSequencePerAccount,
            LongSupplier handled,
            LongSupplier submitted,
            Supplier<List<String>> parked)
            throws TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (!allApplied(ledger, lastSequencePerAccount, handled, submitted)) {
            if (!parked.get().isEmpty()) {
                return; // those accounts wait for an operator: the run reports them
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("the consumer did not apply every operation within 10 minutes");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // the consumer catches up
        }
    }

    private static boolean allApplied(
            Ledger ledger, Map<String, Long> lastSequencePerAccount, LongSupplier handled, LongSupplier submitted) {
        if (lastSequencePerAccount.isEmpty()) {
            return handled.getAsLong() >= submitted.getAsLong();
        }
        for (Map.Entry<String, Long> e : lastSequencePerAccount.entrySet()) {
            if (ledger.lastSequence(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Applies operations on a key-ordered executor in this process: parallel across accounts, serial per account. */
    final class InMemory implements LedgerDownstream {
        private final Ledger ledger = new Ledger();
        private final KeyOrderedExecutor<String> executor;
        private final BiConsumer<Ledger, Txn> apply;
        private final AtomicLong submitted = new AtomicLong();

        InMemory(int threads, MeterRegistry registry, BiConsumer<Ledger, Txn> apply) {
            this.executor = KeyOrderedExecutor.<String>builder()
                    .concurrency(threads)
                    .maxInFlight(10_000)
                    .threadName("ledger")
                    .build();
            this.apply = apply;
            OrdoMetrics.executor(executor, "ledger").bindTo(registry);
        }

        @Override
        public Ledger ledger() {
            return ledger;
        }

        @Override
        public void submit(Txn txn) {
            submitted.incrementAndGet();
            executor.submit(txn.account(), () -> apply.accept(ledger, txn));
        }

        @Override
        public void checkpoint(Supplier<Map<String, Long>> resequencer) {
            // nothing survives this process anyway
        }

        @Override
        public Map<String, Long> restoredCheckpoint() {
            return Map.of();
        }

        @Override
        public void awaitApplied(Map<String, Long> lastSequencePerAccount) throws TimeoutException {
            LedgerDownstream.awaitApplied(
                    ledger, lastSequencePerAccount, () -> executor.stats().succeeded(), submitted::get, this::parked);
        }

        @Override
        public List<String> parked() {
            return executor.parked().stream().map(ParkedKey::toString).toList();
        }

        @Override
        public long inFlight() {
            return executor.stats().inFlight();
        }

        @Override
        public long peakInFlight() {
            return executor.stats().peakInFlight();
        }

        ExecutorStats handlerStats() {
            return executor.stats();
        }

        @Override
        public void close() {
            executor.close();
        }
    }
}
