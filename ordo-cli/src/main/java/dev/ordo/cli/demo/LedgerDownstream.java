package dev.ordo.cli.demo;

import dev.ordo.exec.ExecutorStats;
import dev.ordo.exec.KeyOrderedExecutor;
import dev.ordo.metrics.OrdoMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Where the ledger simulation's resequenced operations go to be applied: straight to a key-ordered
 * executor in memory, or through the embedded engine's log ({@link EngineDownstream}).
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

    /** The handler stage's counters. */
    ExecutorStats handlerStats();

    @Override
    void close() throws Exception;

    /** Applies operations on a key-ordered executor in this process: parallel across accounts, serial per account. */
    final class InMemory implements LedgerDownstream {
        private final Ledger ledger = new Ledger();
        private final KeyOrderedExecutor<String> executor;
        private final BiConsumer<Ledger, Txn> apply;

        InMemory(int threads, MeterRegistry registry, BiConsumer<Ledger, Txn> apply) {
            this.executor = KeyOrderedExecutor.<String>builder().concurrency(threads).maxInFlight(10_000)
                    .threadName("ledger").build();
            this.apply = apply;
            OrdoMetrics.executor(executor, "ledger").bindTo(registry);
        }

        @Override
        public Ledger ledger() {
            return ledger;
        }

        @Override
        public void submit(Txn txn) {
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
        public void awaitApplied(Map<String, Long> lastSequencePerAccount) {
            executor.close(); // drains
        }

        @Override
        public ExecutorStats handlerStats() {
            return executor.stats();
        }

        @Override
        public void close() {
            executor.close();
        }
    }
}
