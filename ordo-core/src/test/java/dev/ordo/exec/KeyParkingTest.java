package dev.ordo.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Parking ({@link FailurePolicy#park()}, the default): a key whose task keeps failing stops, and
 * only a decision moves it.
 */
class KeyParkingTest {

    private final List<KeyOrderedExecutor<String>> executors = new ArrayList<>();
    private final ManualTicker ticker = new ManualTicker();
    private final List<String> events = new CopyOnWriteArrayList<>();

    private KeyOrderedExecutor<String> start(KeyOrderedExecutor.Builder<String> builder) {
        KeyOrderedExecutor<String> executor = builder.ticker(ticker)
                .parkListener(new ParkListener<>() {
                    @Override
                    public void onParked(ParkedKey<String> parked) {
                        events.add("parked " + parked.key());
                    }

                    @Override
                    public void onResumed(String key) {
                        events.add("resumed " + key);
                    }

                    @Override
                    public void onSkipped(String key, KeyOrderedExecutor.Task task, String reason) {
                        events.add("skipped " + key + ": " + reason);
                    }
                })
                .build();
        executors.add(executor);
        return executor;
    }

    @AfterEach
    void closeAll() {
        executors.forEach(e -> e.close(Duration.ofSeconds(5)));
    }

    @Test
    void byDefaultAFailingTaskParksItsKeyAndItsLaterTasksWaitWhileOtherKeysGoOn() throws Exception {
        KeyOrderedExecutor<String> executor =
                start(KeyOrderedExecutor.<String>builder().concurrency(2));
        CompletableFuture<KeyOrderedExecutor.Outcome> poison = executor.submit("a", () -> {
            throw new IllegalStateException("bad record");
        });
        CompletableFuture<KeyOrderedExecutor.Outcome> behind = executor.submit("a", () -> {});
        CompletableFuture<KeyOrderedExecutor.Outcome> other = executor.submit("b", () -> {});

        assertThat(other.get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.SUCCEEDED);
        await().atMost(Duration.ofSeconds(5)).until(() -> executor.parked().size() == 1);
        ticker.advance(Duration.ofSeconds(7));
        ParkedKey<String> parked = executor.parked().get(0);
        assertThat(parked.key()).isEqualTo("a");
        assertThat(parked.error()).hasMessage("bad record");
        assertThat(parked.attempts()).isEqualTo(1);
        assertThat(parked.parkedFor()).isEqualTo(Duration.ofSeconds(7));
        assertThat(parked.waitingBehind()).isEqualTo(1);
        assertThat(poison).isNotDone();
        assertThat(behind).isNotDone();
        assertThat(executor.stats().parkedKeys()).isEqualTo(1);
        assertThat(executor.stats().deadLettered()).isZero();
        assertThat(executor.stats().skipped()).isZero();
        assertThat(events).containsExactly("parked a");
    }

    @Test
    void resumeRunsTheParkedTaskAgainThenTheKeysLaterTasksInOrder() throws Exception {
        KeyOrderedExecutor<String> executor = start(KeyOrderedExecutor.<String>builder()
                .retry(Retry.exponential(2, Duration.ofMillis(1), Duration.ofMillis(1))));
        AtomicBoolean downstreamUp = new AtomicBoolean();
        List<String> order = new CopyOnWriteArrayList<>();
        AtomicInteger tries = new AtomicInteger();
        CompletableFuture<KeyOrderedExecutor.Outcome> first = executor.submit("a", () -> {
            tries.incrementAndGet();
            if (!downstreamUp.get()) {
                throw new IllegalStateException("downstream down");
            }
            order.add("first");
        });
        CompletableFuture<KeyOrderedExecutor.Outcome> second = executor.submit("a", () -> order.add("second"));
        await().atMost(Duration.ofSeconds(5)).until(() -> executor.parked().size() == 1);
        assertThat(tries.get()).isEqualTo(2);

        downstreamUp.set(true);
        assertThat(executor.resume("a")).isTrue();
        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.SUCCEEDED);
        assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.SUCCEEDED);
        assertThat(order).containsExactly("first", "second");
        assertThat(executor.parked()).isEmpty();
        assertThat(executor.resume("a")).as("nothing parked any more").isFalse();
        assertThat(events).containsExactly("parked a", "resumed a");
    }

    @Test
    void skipGivesTheTaskUpAsARecordedDecisionAndTheKeyGoesOn() throws Exception {
        KeyOrderedExecutor<String> executor = start(KeyOrderedExecutor.<String>builder());
        CompletableFuture<KeyOrderedExecutor.Outcome> poison = executor.submit("a", () -> {
            throw new IllegalStateException("bad record");
        });
        CompletableFuture<KeyOrderedExecutor.Outcome> behind = executor.submit("a", () -> {});
        await().atMost(Duration.ofSeconds(5)).until(() -> executor.parked().size() == 1);

        assertThat(executor.skip("a", "operator: record 17 is corrupt upstream"))
                .isTrue();
        assertThat(poison.get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.SKIPPED);
        assertThat(behind.get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.SUCCEEDED);
        assertThat(executor.stats().skipped()).isEqualTo(1);
        assertThat(events).containsExactly("parked a", "skipped a: operator: record 17 is corrupt upstream");
        assertThat(executor.skip("a", "again")).isFalse();
    }

    @Test
    void closeAbandonsTheTasksOfParkedKeysInsteadOfWaitingForThem() throws Exception {
        KeyOrderedExecutor<String> executor =
                KeyOrderedExecutor.<String>builder().build();
        CompletableFuture<KeyOrderedExecutor.Outcome> poison = executor.submit("a", () -> {
            throw new IllegalStateException("bad record");
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> executor.parked().size() == 1);
        CompletableFuture<KeyOrderedExecutor.Outcome> queuedBehind = executor.submit("a", () -> {});
        CompletableFuture<KeyOrderedExecutor.Outcome> otherKey = executor.submit("b", () -> {});

        assertThat(executor.close(Duration.ofSeconds(30)))
                .as("not everything ended")
                .isFalse();
        assertThat(otherKey).isCompletedWithValue(KeyOrderedExecutor.Outcome.SUCCEEDED);
        for (CompletableFuture<KeyOrderedExecutor.Outcome> abandoned : List.of(poison, queuedBehind)) {
            assertThatThrownBy(abandoned::get)
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TaskAbandonedException.class);
        }
        assertThat(executor.stats().inFlight()).isZero();
        assertThatThrownBy(() -> executor.resume("a"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void abandonDropsTheParkedTaskWithoutAnOutcomeAndTheKeyGoesOn() throws Exception {
        KeyOrderedExecutor<String> executor = start(KeyOrderedExecutor.<String>builder());
        CompletableFuture<KeyOrderedExecutor.Outcome> poison = executor.submit("a", () -> {
            throw new IllegalStateException("bad record");
        });
        CompletableFuture<KeyOrderedExecutor.Outcome> behind = executor.submit("a", () -> {});
        await().atMost(Duration.ofSeconds(5)).until(() -> executor.parked().size() == 1);

        assertThat(executor.abandon("a")).isTrue();
        assertThat(behind.get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.SUCCEEDED);
        assertThatThrownBy(poison::get).hasCauseInstanceOf(TaskAbandonedException.class);
        assertThat(executor.stats().skipped()).as("abandoned is not skipped").isZero();
    }

    @Test
    void theSkipPolicyDropsTheTaskCountedAsSkippedNotAsDeadLettered() throws Exception {
        KeyOrderedExecutor<String> executor =
                start(KeyOrderedExecutor.<String>builder().onFailure(FailurePolicy.skip()));
        CompletableFuture<KeyOrderedExecutor.Outcome> poison = executor.submit("a", () -> {
            throw new IllegalStateException("bad record");
        });
        CompletableFuture<KeyOrderedExecutor.Outcome> behind = executor.submit("a", () -> {});
        assertThat(poison.get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.SKIPPED);
        assertThat(behind.get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.SUCCEEDED);
        assertThat(executor.stats().skipped()).isEqualTo(1);
        assertThat(executor.stats().deadLettered()).isZero();
        assertThat(executor.parked()).isEmpty();
    }

    @Test
    void aListenerThatThrowsNeitherStrandsAResumedKeyNorASkippedOne() throws Exception {
        ParkListener<String> throwing = new ParkListener<>() {
            @Override
            public void onResumed(String key) {
                throw new IllegalStateException("listener down");
            }

            @Override
            public void onSkipped(String key, KeyOrderedExecutor.Task task, String reason) {
                throw new IllegalStateException("listener down");
            }
        };
        KeyOrderedExecutor<String> executor =
                KeyOrderedExecutor.<String>builder().parkListener(throwing).build();
        executors.add(executor);
        AtomicBoolean healthy = new AtomicBoolean();
        CompletableFuture<KeyOrderedExecutor.Outcome> resumed = executor.submit("a", () -> {
            if (!healthy.get()) {
                throw new IllegalStateException("bad record");
            }
        });
        CompletableFuture<KeyOrderedExecutor.Outcome> skipped = executor.submit("b", () -> {
            throw new IllegalStateException("bad record");
        });
        CompletableFuture<KeyOrderedExecutor.Outcome> behindB = executor.submit("b", () -> {});
        await().atMost(Duration.ofSeconds(5)).until(() -> executor.parked().size() == 2);

        healthy.set(true);
        assertThat(executor.resume("a")).isTrue();
        assertThat(executor.skip("b", "operator")).isTrue();
        assertThat(resumed.get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.SUCCEEDED);
        assertThat(skipped.get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.SKIPPED);
        assertThat(behindB.get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.SUCCEEDED);
    }

    @Test
    void aStaleSnapshotDoesNotActOnATaskThatParkedSinceIt() throws Exception {
        KeyOrderedExecutor<String> executor = start(KeyOrderedExecutor.<String>builder());
        CompletableFuture<KeyOrderedExecutor.Outcome> first = executor.submit("a", () -> {
            throw new IllegalStateException("first bad");
        });
        CompletableFuture<KeyOrderedExecutor.Outcome> second = executor.submit("a", () -> {
            throw new IllegalStateException("second bad");
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> executor.parked().size() == 1);
        ParkedKey<String> seenByOperator = executor.parked().get(0);

        assertThat(executor.skip(seenByOperator, "first one is corrupt")).isTrue();
        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.SKIPPED);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> executor.parked().size() == 1
                        && executor.parked().get(0).error().getMessage().equals("second bad"));

        assertThat(executor.skip(seenByOperator, "clicked twice"))
                .as("stale snapshot")
                .isFalse();
        assertThat(executor.resume(seenByOperator)).as("stale snapshot").isFalse();
        assertThat(executor.abandon(seenByOperator)).as("stale snapshot").isFalse();
        assertThat(second).isNotDone();
        assertThat(executor.skip(executor.parked().get(0), "second is corrupt too"))
                .isTrue();
        assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo(KeyOrderedExecutor.Outcome.SKIPPED);
    }
}
