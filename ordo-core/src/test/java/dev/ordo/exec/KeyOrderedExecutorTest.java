package dev.ordo.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.OrdoInterruptedException;
import dev.ordo.OverloadedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KeyOrderedExecutorTest {

    private final List<KeyOrderedExecutor<String>> executors = new ArrayList<>();

    private KeyOrderedExecutor<String> start(KeyOrderedExecutor.Builder<String> builder) {
        KeyOrderedExecutor<String> executor = builder.build();
        executors.add(executor);
        return executor;
    }

    @AfterEach
    void closeAll() {
        executors.forEach(e -> e.close(Duration.ofSeconds(5)));
    }

    @Test
    void tasksOfOneKeyRunOneAtATimeInSubmissionOrder() {
        KeyOrderedExecutor<String> executor =
                start(KeyOrderedExecutor.<String>builder().concurrency(8));
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxOverlapPerKey = new AtomicInteger();
        Map<String, AtomicInteger> active = new ConcurrentHashMap<>();
        List<CompletableFuture<KeyOrderedExecutor.Outcome>> futures = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            String key = "k" + (i % 7);
            int n = i;
            futures.add(executor.submit(key, () -> {
                int overlap =
                        active.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                maxOverlapPerKey.accumulateAndGet(overlap, Math::max);
                running.incrementAndGet();
                seen.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(n);
                active.get(key).decrementAndGet();
            }));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        assertThat(maxOverlapPerKey.get()).isEqualTo(1);
        seen.values().forEach(list -> assertThat(list).isSorted());
        assertThat(running.get()).isEqualTo(2_000);
    }

    @Test
    void aBlockedKeyDoesNotHoldBackOtherKeys() throws Exception {
        KeyOrderedExecutor<String> executor =
                start(KeyOrderedExecutor.<String>builder().concurrency(2));
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<KeyOrderedExecutor.Outcome> slow = executor.submit("slow", release::await);
        CompletableFuture<KeyOrderedExecutor.Outcome> behindSlow = executor.submit("slow", () -> {});
        CompletableFuture<KeyOrderedExecutor.Outcome> other = executor.submit("other", () -> {});
        assertThat(other.get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.SUCCEEDED);
        assertThat(slow).isNotDone();
        assertThat(behindSlow).isNotDone();
        release.countDown();
        assertThat(behindSlow.get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.SUCCEEDED);
    }

    @Test
    void failFastRefusesWorkBeyondTheInFlightBound() {
        KeyOrderedExecutor<String> executor = start(KeyOrderedExecutor.<String>builder()
                .concurrency(1)
                .maxInFlight(2)
                .whenFull(SubmitPolicy.FAIL_FAST));
        CountDownLatch release = new CountDownLatch(1);
        executor.submit("a", release::await);
        executor.submit("b", () -> {});
        assertThatThrownBy(() -> executor.submit("c", () -> {}))
                .isInstanceOf(OverloadedException.class)
                .hasMessageContaining("2 of 2 messages");
        assertThat(executor.stats().inFlight()).isEqualTo(2);
        release.countDown();
    }

    @Test
    void failFastRefusesWorkBeyondTheByteBound() {
        KeyOrderedExecutor<String> executor =
                start(KeyOrderedExecutor.<String>builder().maxInFlightBytes(100).whenFull(SubmitPolicy.FAIL_FAST));
        CountDownLatch release = new CountDownLatch(1);
        executor.submit("a", 60, release::await);
        assertThatThrownBy(() -> executor.submit("b", 41, () -> {}))
                .isInstanceOf(OverloadedException.class)
                .hasMessageContaining("60 of 100 bytes");
        release.countDown();
    }

    @Test
    void blockMakesTheSubmitterWaitUntilATaskFinishes() throws Exception {
        KeyOrderedExecutor<String> executor = start(KeyOrderedExecutor.<String>builder()
                .concurrency(1)
                .maxInFlight(1)
                .whenFull(SubmitPolicy.BLOCK));
        CountDownLatch release = new CountDownLatch(1);
        executor.submit("a", release::await);
        CompletableFuture<CompletableFuture<KeyOrderedExecutor.Outcome>> submitting =
                CompletableFuture.supplyAsync(() -> executor.submit("b", () -> {}));
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5)).until(() -> !submitting.isDone());
        release.countDown();
        assertThat(submitting.get(5, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS))
                .isEqualTo(KeyOrderedExecutor.Outcome.SUCCEEDED);
    }

    @Test
    void retriesKeepTheKeyBlockedThenDeadLetterAndTheKeyMovesOn() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        List<String> deadLetters = new CopyOnWriteArrayList<>();
        KeyOrderedExecutor<String> executor = start(KeyOrderedExecutor.<String>builder()
                .concurrency(4)
                .retry(Retry.exponential(3, Duration.ofMillis(1), Duration.ofMillis(4)))
                .deadLetter((key, task, error, attempts) ->
                        deadLetters.add(key + " " + error.getMessage() + " x" + attempts)));
        AtomicInteger tries = new AtomicInteger();
        CompletableFuture<KeyOrderedExecutor.Outcome> poison = executor.submit("k", () -> {
            order.add("poison try " + tries.incrementAndGet());
            throw new IllegalStateException("bad record");
        });
        CompletableFuture<KeyOrderedExecutor.Outcome> next = executor.submit("k", () -> order.add("next"));

        assertThat(poison.get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.DEAD_LETTERED);
        assertThat(next.get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.SUCCEEDED);
        assertThat(order).containsExactly("poison try 1", "poison try 2", "poison try 3", "next");
        assertThat(deadLetters).containsExactly("k bad record x3");
        assertThat(executor.stats().retries()).isEqualTo(2);
        assertThat(executor.stats().deadLettered()).isEqualTo(1);
    }

    @Test
    void aTaskThatSucceedsOnRetryIsNotDeadLettered() throws Exception {
        KeyOrderedExecutor<String> executor = start(KeyOrderedExecutor.<String>builder()
                .retry(Retry.exponential(5, Duration.ofMillis(1), Duration.ofMillis(1))));
        AtomicInteger tries = new AtomicInteger();
        CompletableFuture<KeyOrderedExecutor.Outcome> flaky = executor.submit("k", () -> {
            if (tries.incrementAndGet() < 3) {
                throw new IllegalStateException("transient");
            }
        });
        assertThat(flaky.get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.SUCCEEDED);
        assertThat(tries.get()).isEqualTo(3);
    }

    @Test
    void aFailingDeadLetterHandlerParksTheKeyInsteadOfLosingTheTask() throws Exception {
        KeyOrderedExecutor<String> executor =
                start(KeyOrderedExecutor.<String>builder().deadLetter((key, task, error, attempts) -> {
                    throw new IllegalStateException("dlq down");
                }));
        CompletableFuture<KeyOrderedExecutor.Outcome> failed = executor.submit("k", () -> {
            throw new IllegalStateException("bad");
        });
        CompletableFuture<KeyOrderedExecutor.Outcome> next = executor.submit("k", () -> {});
        await().atMost(Duration.ofSeconds(5)).until(() -> executor.parked().size() == 1);
        assertThat(executor.parked().get(0).error()).hasMessage("dlq down");
        assertThat(failed).isNotDone();
        assertThat(next).isNotDone();
        assertThat(executor.skip("k", "dead-letter topic lost; record re-sent by hand"))
                .isTrue();
        assertThat(failed.get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.SKIPPED);
        assertThat(next.get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.SUCCEEDED);
        assertThat(executor.stats().inFlight()).isZero();
    }

    @Test
    void closeDrainsEveryAcceptedTaskAndThenRefusesNewOnes() {
        KeyOrderedExecutor<String> executor =
                KeyOrderedExecutor.<String>builder().concurrency(4).build();
        AtomicInteger done = new AtomicInteger();
        for (int i = 0; i < 500; i++) {
            executor.submit("k" + (i % 10), () -> {
                Thread.yield();
                done.incrementAndGet();
            });
        }
        executor.close();
        assertThat(done.get()).isEqualTo(500);
        assertThatThrownBy(() -> executor.submit("k", () -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void anInterruptedSubmitKeepsTheInterruptAndAdmitsNothing() throws Exception {
        KeyOrderedExecutor<String> executor =
                start(KeyOrderedExecutor.<String>builder().maxInFlight(1));
        CountDownLatch release = new CountDownLatch(1);
        executor.submit("a", release::await);
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread submitter = new Thread(() -> {
            try {
                executor.submit("b", () -> {});
                outcome.complete(null);
            } catch (RuntimeException e) {
                outcome.complete(Thread.currentThread().isInterrupted() ? e : new AssertionError("flag lost", e));
            }
        });
        submitter.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> submitter.getState() == Thread.State.WAITING);
        submitter.interrupt();
        assertThat(outcome.get(10, TimeUnit.SECONDS))
                .isInstanceOf(OrdoInterruptedException.class)
                .hasMessage("interrupted while waiting for in-flight budget");
        assertThat(executor.stats().submitted()).isEqualTo(1);
        release.countDown();
    }

    @Test
    void badInputIsRefusedNamingTheParameter() {
        KeyOrderedExecutor<String> executor =
                start(KeyOrderedExecutor.<String>builder().maxInFlightBytes(10));
        assertThatThrownBy(() -> executor.submit(null, () -> {})).hasMessage("key must not be null");
        assertThatThrownBy(() -> executor.submit("k", 11, () -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("size must be <= the byte budget (10), was 11");
        assertThatThrownBy(() -> executor.submit("k", -1, () -> {})).hasMessage("size must be >= 0 bytes, was -1");
        assertThatThrownBy(() -> KeyOrderedExecutor.builder().concurrency(0))
                .hasMessage("concurrency must be >= 1, was 0");
        assertThatThrownBy(() -> KeyOrderedExecutor.builder().maxInFlight(0))
                .hasMessage("maxInFlight must be >= 1, was 0");
        assertThat(executor.stats().submitted()).isZero();
    }

    @Test
    void submitAllRunsAfterEarlierTasksOfTheKeyAndRetriesAndDeadLettersEachTaskOnItsOwn() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        List<String> deadLetters = new CopyOnWriteArrayList<>();
        KeyOrderedExecutor<String> executor = start(KeyOrderedExecutor.<String>builder()
                .concurrency(4)
                .retry(Retry.exponential(2, Duration.ofMillis(1), Duration.ofMillis(2)))
                .deadLetter((key, task, error, attempts) ->
                        deadLetters.add(key + " " + error.getMessage() + " x" + attempts)));
        CountDownLatch release = new CountDownLatch(1);
        executor.submit("k", () -> {
            release.await();
            order.add("first");
        });
        AtomicInteger tries = new AtomicInteger();
        List<KeyOrderedExecutor.Task> tasks = List.of(
                () -> order.add("a"),
                () -> {
                    order.add("poison try " + tries.incrementAndGet());
                    throw new IllegalStateException("bad");
                },
                () -> order.add("c"));
        List<CompletableFuture<KeyOrderedExecutor.Outcome>> futures = executor.submitAll("k", tasks, t -> 10);
        executor.submit("k", () -> order.add("after"));
        assertThat(executor.stats().inFlightBytes()).isEqualTo(30);
        release.countDown();

        assertThat(futures.get(0).get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.SUCCEEDED);
        assertThat(futures.get(1).get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.DEAD_LETTERED);
        assertThat(futures.get(2).get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.SUCCEEDED);
        await().atMost(Duration.ofSeconds(5)).until(() -> order.size() == 6);
        assertThat(order).containsExactly("first", "a", "poison try 1", "poison try 2", "c", "after");
        assertThat(deadLetters).containsExactly("k bad x2");
        assertThat(executor.stats().submitted()).isEqualTo(5);
    }

    @Test
    void submitAllWithACallbackTellsEachTaskOnceAndAThrowingCallbackDoesNotStallTheKey() throws Exception {
        KeyOrderedExecutor<String> executor = start(KeyOrderedExecutor.<String>builder()
                .concurrency(2)
                .retry(Retry.exponential(2, Duration.ofMillis(1), Duration.ofMillis(2)))
                .deadLetter((key, task, error, attempts) -> {
                    if (error.getMessage().equals("unparkable")) {
                        throw new IllegalStateException("dead-letter topic down");
                    }
                }));
        List<String> told = new CopyOnWriteArrayList<>();
        List<KeyOrderedExecutor.Task> tasks = new ArrayList<>();
        tasks.add(() -> {});
        tasks.add(() -> {
            throw new IllegalArgumentException("bad");
        });
        tasks.add(() -> {
            throw new IllegalArgumentException("unparkable");
        });
        tasks.add(() -> {});
        executor.submitAll("k", tasks, t -> 1, (task, outcome, error) -> {
            told.add(tasks.indexOf(task) + " " + outcome + " " + (error == null ? "-" : error.getMessage()));
            throw new IllegalStateException("a careless callback"); // logged; the key goes on
        });
        CompletableFuture<KeyOrderedExecutor.Outcome> after = executor.submit("k", () -> {});
        await().atMost(Duration.ofSeconds(5)).until(() -> executor.parked().size() == 1); // its dead-lettering failed
        assertThat(executor.skip("k", "test")).isTrue();
        assertThat(after.get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.SUCCEEDED);
        assertThat(told).containsExactly("0 SUCCEEDED -", "1 DEAD_LETTERED -", "2 SKIPPED -", "3 SUCCEEDED -");
        assertThat(executor.stats().inFlight()).isZero();
        assertThatThrownBy(() -> executor.submitAll("k", tasks, t -> 1, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("onDone");
    }

    @Test
    void submitAllIsAllOrNothingWhenTheBudgetIsSpent() throws Exception {
        KeyOrderedExecutor<String> executor = start(KeyOrderedExecutor.<String>builder()
                .concurrency(1)
                .maxInFlight(4)
                .whenFull(SubmitPolicy.FAIL_FAST));
        CountDownLatch release = new CountDownLatch(1);
        executor.submit("a", release::await);
        List<KeyOrderedExecutor.Task> four = List.of(() -> {}, () -> {}, () -> {}, () -> {});
        assertThatThrownBy(() -> executor.submitAll("b", four, t -> 0)).isInstanceOf(OverloadedException.class);
        assertThat(executor.stats().inFlight())
                .as("the three that fitted were given back")
                .isEqualTo(1);
        assertThat(executor.stats().submitted()).isEqualTo(1);
        List<CompletableFuture<KeyOrderedExecutor.Outcome>> three = executor.submitAll("b", four.subList(0, 3), t -> 0);
        release.countDown();
        CompletableFuture.allOf(three.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        assertThat(executor.stats().succeeded()).isEqualTo(4);
    }

    @Test
    void submitAllRefusesMoreTasksThanCanEverBeInFlight() {
        KeyOrderedExecutor<String> executor =
                start(KeyOrderedExecutor.<String>builder().maxInFlight(2));
        List<KeyOrderedExecutor.Task> three = List.of(() -> {}, () -> {}, () -> {});
        assertThatThrownBy(() -> executor.submitAll("k", three, t -> 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxInFlight (2)")
                .hasMessageContaining("were 3");
        assertThat(executor.stats().inFlight()).isZero();
        assertThat(executor.submitAll("k", List.of(), t -> 0)).isEmpty();
    }

    @Test
    void aBusyKeyYieldsItsWorkerToAKeyThatWaits() throws Exception {
        KeyOrderedExecutor<String> executor =
                start(KeyOrderedExecutor.<String>builder().concurrency(1).maxInFlight(2_000));
        CountDownLatch coldSubmitted = new CountDownLatch(1);
        AtomicInteger hotDone = new AtomicInteger();
        List<KeyOrderedExecutor.Task> hot = new ArrayList<>();
        hot.add(() -> {
            coldSubmitted.await();
            hotDone.incrementAndGet();
        });
        for (int i = 1; i < 1_000; i++) {
            hot.add(hotDone::incrementAndGet);
        }
        List<CompletableFuture<KeyOrderedExecutor.Outcome>> hotFutures = executor.submitAll("hot", hot, t -> 0);
        AtomicInteger hotDoneWhenColdRan = new AtomicInteger(-1);
        CompletableFuture<KeyOrderedExecutor.Outcome> cold =
                executor.submit("cold", () -> hotDoneWhenColdRan.set(hotDone.get()));
        coldSubmitted.countDown();
        cold.get(5, TimeUnit.SECONDS);
        CompletableFuture.allOf(hotFutures.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        assertThat(hotDoneWhenColdRan.get())
                .as("hot tasks run before the waiting key got the only worker")
                .isBetween(1, 64);
    }
}
