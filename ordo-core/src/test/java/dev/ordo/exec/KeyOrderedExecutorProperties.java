package dev.ordo.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class KeyOrderedExecutorProperties {

    /**
     * Random keys over a few partitions, tasks of random duration (some failing once and retried):
     * every key sees its records in offset order, and the commit point of each partition, read
     * after every completion and by a concurrent observer, never reaches a record that has not
     * finished.
     */
    @Property(tries = 25)
    void perKeyOrderHoldsAndTheCommitPointNeverPassesAnUnfinishedRecord(
            @ForAll @IntRange(min = 1, max = 600) int records,
            @ForAll @IntRange(min = 1, max = 40) int keys,
            @ForAll @IntRange(min = 1, max = 3) int partitions,
            @ForAll @IntRange(min = 1, max = 16) int concurrency,
            @ForAll long seed)
            throws Exception {
        Random random = new Random(seed);
        CompletionTracker tracker = new CompletionTracker();
        AtomicIntegerArray finished = new AtomicIntegerArray(records);
        Map<String, List<Integer>> perKey = new ConcurrentHashMap<>();
        List<String> violations = new CopyOnWriteArrayList<>();
        int[] partitionOf = new int[records];
        long[] offsetOf = new long[records];
        long[] nextOffset = new long[partitions];
        List<List<Integer>> recordsOfPartition = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            recordsOfPartition.add(new ArrayList<>());
        }

        try (KeyOrderedExecutor<String> executor = KeyOrderedExecutor.<String>builder()
                .concurrency(concurrency)
                .maxInFlight(1 + random.nextInt(records))
                .retry(Retry.exponential(2, Duration.ofNanos(1_000), Duration.ofNanos(1_000)))
                .build()) {
            AtomicBoolean stop = new AtomicBoolean();
            Thread observer = new Thread(() -> {
                while (!stop.get()) {
                    checkCommitPoints(tracker, partitions, recordsOfPartition, offsetOf, finished, violations);
                }
            });
            List<CompletableFuture<?>> futures = new ArrayList<>();
            for (int i = 0; i < records; i++) {
                int record = i;
                String key = "k" + random.nextInt(keys);
                int partition = random.nextInt(partitions);
                long offset = nextOffset[partition] += 1 + random.nextInt(2);
                partitionOf[i] = partition;
                offsetOf[i] = offset;
                synchronized (recordsOfPartition) {
                    recordsOfPartition.get(partition).add(i);
                }
                long workNanos = random.nextInt(4) == 0 ? random.nextInt(200_000) : 0;
                boolean failOnce = random.nextInt(20) == 0;
                AtomicBoolean failed = new AtomicBoolean();
                tracker.register(partition, offset);
                if (i == 0) {
                    observer.start();
                }
                futures.add(executor.submit(key, () -> {
                            if (workNanos > 0) {
                                LockSupport.parkNanos(workNanos);
                            }
                            if (failOnce && failed.compareAndSet(false, true)) {
                                throw new IllegalStateException("transient");
                            }
                            perKey.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>())
                                    .add(record);
                            finished.set(record, 1);
                        })
                        .thenRun(() -> {
                            tracker.complete(partition, offset);
                            checkCommitPoints(tracker, partitions, recordsOfPartition, offsetOf, finished, violations);
                        }));
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
            stop.set(true);
            observer.join();
        }

        assertThat(violations).isEmpty();
        perKey.forEach(
                (key, seen) -> assertThat(seen).as("records of key %s", key).isSorted());
        assertThat(perKey.values().stream().mapToInt(List::size).sum()).isEqualTo(records);
        for (int p = 0; p < partitions; p++) {
            assertThat(tracker.highestContiguousCompleted(p)).isEqualTo(nextOffset[p] == 0 ? -1 : nextOffset[p]);
        }
    }

    private static void checkCommitPoints(
            CompletionTracker tracker,
            int partitions,
            List<List<Integer>> recordsOfPartition,
            long[] offsetOf,
            AtomicIntegerArray finished,
            List<String> violations) {
        for (int p = 0; p < partitions; p++) {
            long commitPoint = tracker.highestContiguousCompleted(p);
            List<Integer> snapshot;
            synchronized (recordsOfPartition) {
                snapshot = List.copyOf(recordsOfPartition.get(p));
            }
            for (int record : snapshot) {
                if (offsetOf[record] <= commitPoint && finished.get(record) == 0) {
                    violations.add("partition " + p + " commit point " + commitPoint + " passed unfinished offset "
                            + offsetOf[record]);
                }
            }
        }
    }

    /**
     * Tasks handed over one by one and in runs of random length ({@code submitAll}, with futures or a
     * completion callback), mixed on the same keys, some failing once: every key runs its tasks one
     * at a time in submission order.
     */
    @Property(tries = 30)
    void submitAllAndSubmitTogetherKeepEachKeysSubmissionOrder(
            @ForAll @IntRange(min = 1, max = 400) int tasks,
            @ForAll @IntRange(min = 1, max = 12) int keys,
            @ForAll @IntRange(min = 1, max = 8) int concurrency,
            @ForAll long seed) {
        Random random = new Random(seed);
        Map<String, List<Integer>> ran = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
        List<String> violations = new CopyOnWriteArrayList<>();
        Map<String, List<Integer>> submittedOrder = new HashMap<>();
        List<CompletableFuture<KeyOrderedExecutor.Outcome>> futures = new ArrayList<>();
        try (KeyOrderedExecutor<String> executor = KeyOrderedExecutor.<String>builder()
                .concurrency(concurrency)
                .maxInFlight(50)
                .retry(Retry.exponential(2, Duration.ofNanos(1_000), Duration.ofNanos(1_000)))
                .build()) {
            int next = 0;
            while (next < tasks) {
                String key = "k" + random.nextInt(keys);
                int run = random.nextBoolean() ? 1 : 1 + random.nextInt(Math.min(50, tasks - next));
                List<KeyOrderedExecutor.Task> batch = new ArrayList<>();
                for (int i = 0; i < run && next < tasks; i++, next++) {
                    int n = next;
                    boolean failOnce = random.nextInt(15) == 0;
                    AtomicBoolean failed = new AtomicBoolean();
                    submittedOrder.computeIfAbsent(key, k -> new ArrayList<>()).add(n);
                    batch.add(() -> {
                        if (running.computeIfAbsent(key, k -> new AtomicInteger())
                                        .incrementAndGet()
                                > 1) {
                            violations.add("two tasks of " + key + " at once");
                        }
                        try {
                            if (failOnce && failed.compareAndSet(false, true)) {
                                throw new IllegalStateException("transient");
                            }
                            ran.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>())
                                    .add(n);
                        } finally {
                            running.get(key).decrementAndGet();
                        }
                    });
                }
                int mode = random.nextInt(3);
                if (batch.size() == 1 && mode == 0) {
                    futures.add(executor.submit(key, batch.get(0)));
                } else if (mode == 1) {
                    futures.addAll(executor.submitAll(key, batch, t -> 1));
                } else { // told through a callback: each task's outcome exactly once
                    Map<KeyOrderedExecutor.Task, CompletableFuture<KeyOrderedExecutor.Outcome>> told =
                            new IdentityHashMap<>();
                    batch.forEach(task -> told.put(task, new CompletableFuture<>()));
                    futures.addAll(told.values());
                    executor.submitAll(key, batch, t -> 1, (task, outcome, error) -> {
                        if (!told.get(task).complete(outcome)) {
                            violations.add("a task of " + key + " was told twice");
                        }
                    });
                }
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        }
        assertThat(violations).isEmpty();
        assertThat(ran).isEqualTo(submittedOrder);
    }
}
