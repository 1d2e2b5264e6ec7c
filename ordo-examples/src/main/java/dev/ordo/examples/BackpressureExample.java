package dev.ordo.examples;

import dev.ordo.exec.SubmitPolicy;
import dev.ordo.pipeline.OrderedPipeline;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Backpressure: a resequencer and a key-ordered executor under one memory budget. Every message holds
 * its share of the budget from {@code offer} until its handler finished, wherever it waits, so a slow
 * handler slows the sender instead of filling the heap.
 */
public final class BackpressureExample {

    /** An operation on an account, numbered per teller. */
    record Operation(String teller, long sequence, String account, long amount) {
        long sizeInBytes() {
            return 64;
        }
    }

    private BackpressureExample() {}

    public static void main(String[] args) {
        System.out.println(balances());
    }

    static Map<String, Long> balances() {
        List<Operation> operations = new ArrayList<>();
        for (long i = 0; i < 100_000; i++) {
            operations.add(new Operation("teller-1", i, "ACC-" + (i % 100), 1));
        }
        Map<String, Long> balances = new ConcurrentHashMap<>();
        try (OrderedPipeline<String, Operation> pipeline = OrderedPipeline.<String, Operation>builder()
                .maxInFlight(10_000) // messages in the pipeline at most, waiting or running
                .maxInFlightBytes(64 << 20)
                .weigher(Operation::sizeInBytes)
                .whenFull(SubmitPolicy.BLOCK) // offer waits for room; FAIL_FAST throws OverloadedException
                .maxBuffered(5_000) // of which at most this many wait in the reorder buffer
                .key(Operation::account)
                .handler(op -> balances.merge(op.account(), op.amount(), Long::sum))
                .build()) {
            for (Operation op : operations) {
                pipeline.offer(op.teller(), op.sequence(), op); // waits while the budget is spent
            }
        } // close() lets everything offered finish
        return balances;
    }
}
