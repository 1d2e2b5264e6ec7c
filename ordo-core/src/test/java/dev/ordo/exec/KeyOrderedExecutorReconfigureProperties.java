package dev.ordo.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class KeyOrderedExecutorReconfigureProperties {

    /** One step: submit a run of tasks for a key, or change the concurrency, or change the retry. */
    sealed interface Step permits Submit, Resize, ChangeRetry {}

    record Submit(int key, int tasks) implements Step {}

    record Resize(int concurrency) implements Step {}

    record ChangeRetry(int maxAttempts) implements Step {}

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> submit = Combinators.combine(
                        Arbitraries.integers().between(0, 7),
                        Arbitraries.integers().between(1, 30))
                .as(Submit::new);
        Arbitrary<Step> resize = Arbitraries.integers().between(1, 8).map(Resize::new);
        Arbitrary<Step> retry = Arbitraries.integers().between(2, 4).map(ChangeRetry::new);
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(6, submit),
                        net.jqwik.api.Tuple.of(2, resize),
                        net.jqwik.api.Tuple.of(1, retry))
                .list()
                .ofMinSize(1)
                .ofMaxSize(60);
    }

    /**
     * Any interleaving of submissions with changes of concurrency and retry: every task succeeds exactly
     * once (those failing their first attempt are retried, at least 2 attempts whatever the setting), each
     * key's tasks run one at a time in submission order, and the last settings are in force.
     */
    @Property(tries = 40)
    void reconfiguringWhileTasksRunKeepsEachKeyInOrderAndLosesNothing(@ForAll("steps") List<Step> steps)
            throws Exception {
        Map<Integer, List<Integer>> ran = new ConcurrentHashMap<>();
        Map<Integer, AtomicInteger> active = new ConcurrentHashMap<>();
        AtomicInteger overlap = new AtomicInteger();
        Map<Integer, List<Integer>> submitted = new ConcurrentHashMap<>();
        int lastConcurrency = 4;
        int lastAttempts = 2;
        KeyOrderedExecutor<Integer> executor = KeyOrderedExecutor.<Integer>builder()
                .concurrency(lastConcurrency)
                .retry(Retry.exponential(lastAttempts, Duration.ofNanos(1_000), Duration.ofNanos(1_000)))
                .build();
        int next = 0;
        for (Step step : steps) {
            if (step instanceof Submit s) {
                List<KeyOrderedExecutor.Task> tasks = new ArrayList<>();
                for (int i = 0; i < s.tasks(); i++) {
                    int id = next++;
                    submitted.computeIfAbsent(s.key(), k -> new ArrayList<>()).add(id);
                    AtomicInteger attempts = new AtomicInteger();
                    tasks.add(() -> {
                        int now = active.computeIfAbsent(s.key(), k -> new AtomicInteger())
                                .incrementAndGet();
                        overlap.accumulateAndGet(now, Math::max);
                        try {
                            if (id % 5 == 0 && attempts.incrementAndGet() == 1) {
                                throw new IllegalStateException("first attempt of " + id);
                            }
                            ran.computeIfAbsent(s.key(), k -> new CopyOnWriteArrayList<>())
                                    .add(id);
                        } finally {
                            active.get(s.key()).decrementAndGet();
                        }
                    });
                }
                executor.submitAll(s.key(), tasks, task -> 0);
            } else if (step instanceof Resize r) {
                executor.setConcurrency(r.concurrency());
                lastConcurrency = r.concurrency();
            } else if (step instanceof ChangeRetry c) {
                executor.setRetry(Retry.exponential(c.maxAttempts(), Duration.ofNanos(1_000), Duration.ofNanos(1_000)));
                lastAttempts = c.maxAttempts();
            }
        }
        assertThat(executor.concurrency()).isEqualTo(lastConcurrency);
        assertThat(executor.retry().maxAttempts()).isEqualTo(lastAttempts);
        assertThat(executor.close(Duration.ofSeconds(30)))
                .as("every task ended")
                .isTrue();

        assertThat(ran).isEqualTo(submitted);
        assertThat(overlap.get()).as("one task of a key at a time").isLessThanOrEqualTo(1);
        assertThat(executor.stats().succeeded()).isEqualTo(next);
    }
}
