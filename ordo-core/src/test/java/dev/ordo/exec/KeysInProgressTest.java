package dev.ordo.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.ordo.ManualTicker;
import dev.ordo.exec.KeyInProgress.State;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The operator's snapshot of busy keys: what each key's head does, since when, and what waits behind it. */
class KeysInProgressTest {

    private final ManualTicker ticker = new ManualTicker();
    private final KeyOrderedExecutor<String> executor = KeyOrderedExecutor.<String>builder()
            .concurrency(4)
            .retry(Retry.exponential(3, Duration.ofHours(1), Duration.ofHours(1)))
            .ticker(ticker)
            .build();

    @AfterEach
    void close() {
        executor.close(Duration.ofSeconds(5));
    }

    @Test
    void aRunningHeadIsListedWithItsAgeAndTheTasksWaitingBehindIt() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        executor.submit("slow", () -> {
            started.countDown();
            release.await();
        });
        executor.submit("slow", () -> {});
        executor.submit("slow", () -> {});
        started.await();
        ticker.advance(Duration.ofSeconds(42));

        List<KeyInProgress<String>> busy = executor.inProgress();
        assertThat(busy).hasSize(1);
        KeyInProgress<String> head = busy.get(0);
        assertThat(head.key()).isEqualTo("slow");
        assertThat(head.state()).isEqualTo(State.RUNNING);
        assertThat(head.since()).isEqualTo(Duration.ofSeconds(42));
        assertThat(head.attempts()).isEqualTo(1);
        assertThat(head.lastError()).isNull();
        assertThat(head.waitingBehind()).isEqualTo(2);

        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> executor.inProgress().isEmpty());
    }

    @Test
    void aFailingHeadIsRetryingWithItsLastErrorThenParkedAndTheOldestComesFirst() throws Exception {
        AtomicInteger tries = new AtomicInteger();
        executor.submit("bad", () -> {
            tries.incrementAndGet();
            throw new IllegalStateException("no such account");
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> tries.get() == 1);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !executor.inProgress().isEmpty()
                        && executor.inProgress().get(0).lastError() != null);
        KeyInProgress<String> failing = executor.inProgress().get(0);
        assertThat(failing.state()).isEqualTo(State.RETRYING);
        assertThat(failing.lastError()).hasMessage("no such account");

        ticker.advance(Duration.ofSeconds(5));
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        executor.submit("young", () -> {
            started.countDown();
            release.await();
        });
        started.await(5, TimeUnit.SECONDS);
        ticker.advance(Duration.ofSeconds(1));
        assertThat(executor.inProgress())
                .extracting(KeyInProgress::key, KeyInProgress::since)
                .containsExactly(tuple("bad", Duration.ofSeconds(6)), tuple("young", Duration.ofSeconds(1)));
        release.countDown();
    }

    @Test
    void aParkedHeadIsParkedUntilSkippedThenTheKeyLeavesTheList() {
        KeyOrderedExecutor<String> parking = KeyOrderedExecutor.<String>builder()
                .concurrency(2)
                .ticker(ticker)
                .build();
        try {
            parking.submit("p", () -> {
                throw new IllegalArgumentException("poison");
            });
            parking.submit("p", () -> {});
            await().atMost(Duration.ofSeconds(5)).until(() -> parking.parked().size() == 1);
            KeyInProgress<String> parked = parking.inProgress().get(0);
            assertThat(parked.state()).isEqualTo(State.PARKED);
            assertThat(parked.waitingBehind()).isEqualTo(1);
            assertThat(parked.lastError()).hasMessage("poison");

            assertThat(parking.skip("p", "operator: bad data")).isTrue();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> parking.inProgress().isEmpty());
        } finally {
            parking.close(Duration.ofSeconds(5));
        }
    }
}
