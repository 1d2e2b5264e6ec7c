package dev.ordo.examples;

import dev.ordo.exec.CompletionTracker;
import dev.ordo.exec.KeyOrderedExecutor;
import dev.ordo.exec.Retry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Key-ordered execution without an engine: many keys in parallel, each key's tasks one at a time in
 * submission order, and the offset below which everything finished (the only safe commit point).
 */
public final class KeyOrderedExample {

    private KeyOrderedExample() {}

    public static void main(String[] args) {
        System.out.println(perAccount().get("ACC-3").subList(0, 5)); // [3, 13, 23, 33, 43]
        System.out.println(commitPoint()); // 101
    }

    /** An operation on an account, numbered in the order it is submitted. */
    record Operation(String account, int number) {}

    /** Per account, the operation numbers in the order they ran. */
    static Map<String, List<Integer>> perAccount() {
        List<Operation> operations = new ArrayList<>();
        Map<String, List<Integer>> ran = new ConcurrentHashMap<>();
        for (int i = 0; i < 1_000; i++) {
            operations.add(new Operation("ACC-" + (i % 10), i));
            ran.putIfAbsent("ACC-" + (i % 10), new CopyOnWriteArrayList<>());
        }
        try (KeyOrderedExecutor<String> executor = KeyOrderedExecutor.<String>builder()
                .concurrency(64) // up to 64 accounts at once
                .maxInFlight(10_000) // submit waits beyond; whenFull(SubmitPolicy.FAIL_FAST) throws instead
                .retry(Retry.exponential(5)) // 10 ms doubling to 1 s, the account's later tasks waiting
                .build()) {
            for (Operation op : operations) {
                executor.submit(op.account(), () -> ran.get(op.account()).add(op.number())); // after earlier ones
            }
        } // close() waits for every task submitted (a parked key's are abandoned)
        return ran;
    }

    /** What a consumer may commit while offset 101 is still being handled. */
    static long commitPoint() {
        CompletionTracker tracker = new CompletionTracker();
        tracker.register(0, 100); // partition 0, offset 100: handed to a handler
        tracker.register(0, 101);
        tracker.register(0, 102);
        tracker.complete(0, 100);
        tracker.complete(0, 102); // 101 is still running
        return tracker.highestContiguousCompleted(0) + 1; // 101: the next offset to read, never past 101
    }
}
