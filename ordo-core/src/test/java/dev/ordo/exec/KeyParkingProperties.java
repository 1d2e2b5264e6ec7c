package dev.ordo.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class KeyParkingProperties {

    /**
     * Keys with poisoned tasks that fail until an operator acts, tasks submitted one by one and in runs,
     * an operator resuming (after fixing the cause) or skipping whatever is parked, in random order and
     * concurrently with the workers: every key's tasks succeed exactly once each and in submission order,
     * except those the operator skipped, and nothing else is ever skipped or dead-lettered.
     */
    @Property(tries = 30)
    void onlyAnExplicitSkipLosesATaskAndEveryKeyKeepsItsOrder(
            @ForAll @IntRange(min = 1, max = 6) int keys,
            @ForAll @IntRange(min = 1, max = 60) int tasksPerKey,
            @ForAll @IntRange(min = 1, max = 8) int concurrency,
            @ForAll long seed) {
        Random random = new Random(seed);
        Set<String> poisoned = ConcurrentHashMap.newKeySet();
        Map<String, List<Integer>> succeeded = new ConcurrentHashMap<>();
        Map<String, List<Integer>> skipped = new ConcurrentHashMap<>();
        List<CompletableFuture<KeyOrderedExecutor.Outcome>> futures = new ArrayList<>();
        try (KeyOrderedExecutor<String> executor = KeyOrderedExecutor.<String>builder()
                .concurrency(concurrency)
                .retry(Retry.exponential(1 + random.nextInt(2), Duration.ofNanos(1_000), Duration.ofNanos(1_000)))
                .build()) {
            for (int k = 0; k < keys; k++) {
                String key = "k" + k;
                succeeded.put(key, new CopyOnWriteArrayList<>());
                skipped.put(key, new CopyOnWriteArrayList<>());
                List<KeyOrderedExecutor.Task> run = new ArrayList<>();
                for (int i = 0; i < tasksPerKey; i++) {
                    int index = i;
                    if (random.nextInt(8) == 0) {
                        poisoned.add(key + ":" + i);
                    }
                    KeyOrderedExecutor.Task task = new IndexedTask(index, () -> {
                        if (poisoned.contains(key + ":" + index)) {
                            throw new IllegalStateException("poison " + key + ":" + index);
                        }
                        succeeded.get(key).add(index);
                    });
                    if (random.nextBoolean()) {
                        futures.addAll(executor.submitAll(key, List.copyOf(run), t -> 0)); // keeps submission order
                        run.clear();
                        futures.add(executor.submit(key, task));
                    } else {
                        run.add(task);
                        if (random.nextInt(4) == 0) {
                            futures.addAll(executor.submitAll(key, List.copyOf(run), t -> 0));
                            run.clear();
                        }
                    }
                }
                futures.addAll(executor.submitAll(key, run, t -> 0));
            }
            // The operator: whatever is parked gets fixed and resumed, or skipped, until everything ended.
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ParkedKey<String> parked : executor.parked()) {
                    int index = ((IndexedTask) parked.task()).index;
                    if (random.nextBoolean()) {
                        poisoned.remove(parked.key() + ":" + index);
                        executor.resume(parked.key());
                    } else if (executor.skip(parked.key(), "property test")) {
                        skipped.get(parked.key()).add(index);
                    }
                }
                return futures.stream().allMatch(CompletableFuture::isDone);
            });
            for (int k = 0; k < keys; k++) {
                String key = "k" + k;
                List<Integer> expected = new ArrayList<>();
                for (int i = 0; i < tasksPerKey; i++) {
                    if (!skipped.get(key).contains(i)) {
                        expected.add(i);
                    }
                }
                assertThat(succeeded.get(key)).as(key).containsExactlyElementsOf(expected);
            }
            long skips = skipped.values().stream().mapToLong(List::size).sum();
            assertThat(executor.stats().skipped()).isEqualTo(skips);
            assertThat(executor.stats().deadLettered()).isZero();
            assertThat(futures).allMatch(f -> !f.isCompletedExceptionally());
            assertThat(executor.stats().inFlight()).isZero();
        }
    }

    /** A task that knows its place in its key's sequence, for the operator to name. */
    private record IndexedTask(int index, KeyOrderedExecutor.Task body) implements KeyOrderedExecutor.Task {
        @Override
        public void run() throws Exception {
            body.run();
        }
    }
}
