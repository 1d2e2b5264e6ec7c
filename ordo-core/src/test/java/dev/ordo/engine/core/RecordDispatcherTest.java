package dev.ordo.engine.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.ordo.ManualTicker;
import dev.ordo.engine.Headers;
import dev.ordo.engine.RecordHandler;
import dev.ordo.flow.AdaptiveConcurrencyLimit;
import dev.ordo.flow.RateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/** The consumer core's hand-over, stall and parking rules, without an engine around it. */
class RecordDispatcherTest {

    private final ManualTicker ticker = new ManualTicker();
    private final List<RecordDispatcher<String, String>> dispatchers = new ArrayList<>();

    private RecordDispatcher<String, String> dispatcher(Duration drainTimeout, RecordHandler<String, String> handler) {
        return dispatcher(new SettingsBuilder("t")
                .concurrency(4)
                .drainTimeout(drainTimeout)
                .handler(handler));
    }

    private RecordDispatcher<String, String> dispatcher(
            Duration drainTimeout, RecordHandler<String, String> handler, MeterRegistry registry) {
        return dispatcher(new SettingsBuilder("t")
                .concurrency(4)
                .drainTimeout(drainTimeout)
                .handler(handler)
                .metrics(registry));
    }

    private RecordDispatcher<String, String> dispatcher(SettingsBuilder settings) {
        RecordDispatcher<String, String> dispatcher = settings.dispatcher(ticker, 0);
        dispatchers.add(dispatcher);
        return dispatcher;
    }

    @AfterEach
    void closeAll() {
        dispatchers.forEach(d -> d.close(Duration.ofSeconds(5)));
    }

    private static RawRecord record(int partition, long offset, String key, String value) {
        return new RawRecord(
                partition,
                offset,
                0,
                key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8),
                Headers.empty());
    }

    @Test
    void pausedThereIsNoRoomAndAFetcherWaitingForRoomWakesAtTheResume() throws Exception {
        RecordDispatcher<String, String> d = dispatcher(Duration.ofSeconds(5), r -> {});
        d.pause();
        assertThat(d.full()).isTrue();
        assertThat(d.room()).isZero();
        assertThat(d.resumable()).isFalse();
        CountDownLatch woke = new CountDownLatch(1);
        Thread fetcher = new Thread(() -> {
            try {
                d.awaitResumable(TimeUnit.SECONDS.toNanos(60));
                woke.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        fetcher.start();
        d.resume();
        assertThat(woke.await(10, TimeUnit.SECONDS))
                .as("woken by the resume, not by its 60 s wait")
                .isTrue();
        assertThat(d.room()).isEqualTo(1_000);
    }

    @Test
    void aRecordHandedOverAgainAfterItsPartitionCameBackIsHandledAgainAndItsKeysGroupedInOffsetOrder() {
        List<String> handled = new CopyOnWriteArrayList<>();
        RecordDispatcher<String, String> d = dispatcher(Duration.ofSeconds(5), r -> handled.add(r.key() + r.value()));
        d.assign(0, 0, Collections.emptyNavigableSet());
        // Keys interleaved: each key's records go over in one hand-over, in offset order.
        List<RawRecord> records =
                List.of(record(0, 0, "a", "0"), record(0, 1, "b", "1"), record(0, 2, "a", "2"), record(0, 3, "b", "3"));
        d.dispatch(0, records);
        await().atMost(Duration.ofSeconds(5)).until(() -> d.inFlight() == 0);
        assertThat(handled).containsExactlyInAnyOrder("a0", "b1", "a2", "b3");
        assertThat(handled.indexOf("a0")).isLessThan(handled.indexOf("a2"));
        assertThat(handled.indexOf("b1")).isLessThan(handled.indexOf("b3"));

        // The same objects again, as an engine that kept them might hand them over after a rebalance.
        d.release(0);
        d.assign(0, 0, Collections.emptyNavigableSet());
        d.dispatch(0, records);
        await().atMost(Duration.ofSeconds(5)).until(() -> d.inFlight() == 0);
        assertThat(handled).hasSize(8);
        assertThat(d.commitPoint(0)).isEqualTo(4);
        assertThat(d.stats().handled()).isEqualTo(8);
    }

    @Test
    void aRateLimitStartsNoMoreRecordsThanItsPermits() throws Exception {
        ManualTicker clock = new ManualTicker();
        AtomicInteger handled = new AtomicInteger();
        RecordDispatcher<String, String> d = dispatcher(new SettingsBuilder("t")
                .concurrency(4)
                .handler(r -> handled.incrementAndGet())
                .rateLimit(RateLimiter.perSecond(5).withBurst(5).withTicker(clock)));
        d.assign(0, 0, Collections.emptyNavigableSet());
        List<RawRecord> records = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            records.add(record(0, i, "k" + i, "v"));
        }
        d.dispatch(0, records);
        await().atMost(Duration.ofSeconds(5)).until(() -> handled.get() >= 5);
        assertThat(handled.get()).as("the burst, and no more until time passes").isEqualTo(5);

        clock.advance(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> handled.get() >= 10);
        assertThat(handled.get()).isEqualTo(10);
        clock.advance(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> d.inFlight() == 0);
        assertThat(handled.get()).isEqualTo(12);
    }

    @Test
    void aConcurrencyLimitRunsNoMoreHandlersAtOnceThanItAllows() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        RecordDispatcher<String, String> d = dispatcher(new SettingsBuilder("t")
                .concurrency(4)
                .handler(r -> {
                    most.accumulateAndGet(running.incrementAndGet(), Math::max);
                    go.await();
                    running.decrementAndGet();
                })
                .concurrencyLimit(AdaptiveConcurrencyLimit.targeting(Duration.ofSeconds(1))
                        .withBounds(2, 2)));
        d.assign(0, 0, Collections.emptyNavigableSet());
        List<RawRecord> records = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            records.add(record(0, i, "k" + i, "v"));
        }
        d.dispatch(0, records);
        await().atMost(Duration.ofSeconds(5)).until(() -> running.get() == 2);
        go.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> d.inFlight() == 0);
        assertThat(most.get()).as("4 handler threads, a limit of 2").isEqualTo(2);
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void withVirtualThreadsTheHandlersRunOnVirtualThreadsInEachKeysOrder() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        RecordDispatcher<String, String> d = dispatcher(new SettingsBuilder("t")
                .concurrency(4)
                .handler(r -> {
                    boolean virtual =
                            (boolean) Thread.class.getMethod("isVirtual").invoke(Thread.currentThread());
                    seen.add(r.key() + r.value() + (virtual ? "" : " on a platform thread"));
                })
                .virtualThreads());
        d.assign(0, 0, Collections.emptyNavigableSet());
        d.dispatch(0, List.of(record(0, 0, "a", "1"), record(0, 1, "b", "1"), record(0, 2, "a", "2")));

        await().atMost(Duration.ofSeconds(5)).until(() -> d.inFlight() == 0);
        assertThat(seen).containsExactlyInAnyOrder("a1", "a2", "b1");
        assertThat(seen.indexOf("a1")).isLessThan(seen.indexOf("a2"));
    }

    @Test
    void aRecordFailingAfterItsPartitionWasHandedOverIsAbandonedNotParkedHere() throws Exception {
        CountDownLatch failing = new CountDownLatch(1);
        CountDownLatch fail = new CountDownLatch(1);
        RecordDispatcher<String, String> d = dispatcher(Duration.ofMillis(50), r -> {
            failing.countDown();
            fail.await();
            throw new IllegalStateException("slow and failing");
        });
        d.assign(0, 0, Collections.emptyNavigableSet());
        d.dispatch(0, List.of(record(0, 0, "a", "x")));
        failing.await();
        assertThat(d.drain(0)).as("still running: the drain times out").isFalse();
        d.release(0);
        fail.countDown();

        await().atMost(Duration.ofSeconds(5)).until(() -> d.inFlight() == 0);
        assertThat(d.parked()).as("not ours any more: the new owner handles it").isEmpty();
        assertThat(d.stats().skipped()).isZero();
        assertThat(d.stats().deadLettered()).isZero();
    }

    @Test
    void aHandOverDoesNotWaitForARecordParkedUntilAnOperatorActs() throws Exception {
        RecordDispatcher<String, String> d = dispatcher(Duration.ofSeconds(30), r -> {
            if (r.value().equals("bad")) {
                throw new IllegalStateException("poison");
            }
        });
        d.assign(0, 0, Collections.emptyNavigableSet());
        d.dispatch(0, List.of(record(0, 0, "a", "bad"), record(0, 1, "a", "behind"), record(0, 2, "b", "ok")));
        await().atMost(Duration.ofSeconds(5)).until(() -> d.parked().size() == 1 && d.inFlight() == 2);

        long start = System.nanoTime();
        assertThat(d.drain(0)).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(d.commitPoint(0)).as("never past the parked record").isZero();
        d.release(0);
        await().atMost(Duration.ofSeconds(5)).until(() -> d.inFlight() == 0);
        assertThat(d.parked()).isEmpty();
    }

    @Test
    void aStallIsCountedFromWhenWorkArrivedNotFromTheLastRecordBeforeAnIdleSpell() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        RecordDispatcher<String, String> d = dispatcher(Duration.ofSeconds(30), r -> {
            if (r.value().equals("slow")) {
                release.await();
            }
        });
        d.assign(0, 0, Collections.emptyNavigableSet());
        d.dispatch(0, List.of(record(0, 0, "a", "quick")));
        await().atMost(Duration.ofSeconds(5)).until(() -> d.inFlight() == 0);
        ticker.advance(Duration.ofHours(1)); // idle

        d.dispatch(0, List.of(record(0, 1, "a", "slow")));
        assertThat(d.stall()).as("just arrived").isEmpty();
        ticker.advance(Duration.ofSeconds(31));
        assertThat(d.stall()).hasValueSatisfying(why -> assertThat(why).startsWith("no progress for 31 s"));
        release.countDown();
    }

    @Test
    void theHandlersTimeIsSummedPerPartitionForAConsumerWithMeters() throws Exception {
        RecordHandler<String, String> handler = r -> ticker.advance(Duration.ofMillis(Long.parseLong(r.value())));
        RecordDispatcher<String, String> d = dispatcher(Duration.ofSeconds(30), handler, new SimpleMeterRegistry());
        d.assign(0, 0, Collections.emptyNavigableSet());
        d.assign(1, 0, Collections.emptyNavigableSet());
        // one key: the records run one after another, so each sees only its own advance of the clock
        d.dispatch(0, List.of(record(0, 0, "a", "5"), record(0, 1, "a", "5"), record(0, 2, "a", "5")));
        d.dispatch(1, List.of(record(1, 0, "a", "1"), record(1, 1, "a", "1")));
        await().atMost(Duration.ofSeconds(5)).until(() -> d.inFlight() == 0);

        assertThat(d.handlerSeconds(0)).isCloseTo(0.015, within(1e-9));
        assertThat(d.handlerSeconds(1)).isCloseTo(0.002, within(1e-9));
        assertThat(d.handlerSeconds(2)).isZero();
        RecordDispatcher<String, String> unmetered = dispatcher(Duration.ofSeconds(30), handler);
        unmetered.assign(0, 0, Collections.emptyNavigableSet());
        unmetered.dispatch(0, List.of(record(0, 0, "a", "5")));
        await().atMost(Duration.ofSeconds(5)).until(() -> unmetered.inFlight() == 0);
        assertThat(unmetered.handlerSeconds(0))
                .as("not measured without meters")
                .isZero();
    }
}
