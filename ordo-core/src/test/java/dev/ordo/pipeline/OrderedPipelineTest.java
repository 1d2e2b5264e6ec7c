package dev.ordo.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.OverloadedException;
import dev.ordo.exec.SubmitPolicy;
import dev.ordo.sequence.Resequencer;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OrderedPipelineTest {

    private record Msg(String key, long seq) {}

    @Test
    void resequencesThenHandlesPerKeyAndGivesEveryPermitBack() {
        List<Msg> handled = new CopyOnWriteArrayList<>();
        try (OrderedPipeline<String, Msg> pipeline = OrderedPipeline.<String, Msg>builder()
                .maxInFlight(10)
                .maxBuffered(5)
                .key(Msg::key)
                .handler(handled::add)
                .build()) {
            pipeline.offer("p", 2, new Msg("a", 2));
            pipeline.offer("p", 1, new Msg("b", 1));
            assertThat(pipeline.inFlight()).isEqualTo(2);
            assertThat(pipeline.offer("p", 1, new Msg("b", 1))).isEqualTo(Resequencer.Offer.DUPLICATE);
            assertThat(pipeline.inFlight())
                    .as("a duplicate gives its permit back")
                    .isEqualTo(2);
            pipeline.offer("p", 0, new Msg("a", 0));
            await().atMost(Duration.ofSeconds(5)).until(() -> pipeline.inFlight() == 0);
        }
        assertThat(handled)
                .filteredOn(m -> m.key().equals("a"))
                .extracting(Msg::seq)
                .containsExactly(0L, 2L);
        assertThat(handled).hasSize(3);
    }

    @Test
    void aSpentBudgetSlowsOrRefusesTheProducerButDropsNothing() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (OrderedPipeline<String, Msg> failFast = OrderedPipeline.<String, Msg>builder()
                .maxInFlight(2)
                .maxBuffered(1)
                .whenFull(SubmitPolicy.FAIL_FAST)
                .key(Msg::key)
                .handler(m -> waitFor(release))
                .build()) {
            failFast.offer("p", 0, new Msg("a", 0));
            failFast.offer("p", 1, new Msg("a", 1));
            assertThatThrownBy(() -> failFast.offer("p", 2, new Msg("a", 2))).isInstanceOf(OverloadedException.class);
            assertThat(failFast.inFlight()).isEqualTo(2);

            try (OrderedPipeline<String, Msg> blocking = OrderedPipeline.<String, Msg>builder()
                    .maxInFlight(2)
                    .maxBuffered(1)
                    .key(Msg::key)
                    .handler(m -> waitFor(release))
                    .build()) {
                blocking.offer("p", 0, new Msg("a", 0));
                blocking.offer("p", 1, new Msg("a", 1));
                CompletableFuture<Resequencer.Offer> third =
                        CompletableFuture.supplyAsync(() -> blocking.offer("p", 2, new Msg("a", 2)));
                await().during(Duration.ofMillis(100))
                        .atMost(Duration.ofSeconds(5))
                        .until(() -> !third.isDone());
                release.countDown();
                assertThat(third.get()).isEqualTo(Resequencer.Offer.RELEASED);
            }
        }
    }

    @Test
    void endToEndLatencyAndBackpressureAreMeasured() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CountDownLatch release = new CountDownLatch(1);
        try (OrderedPipeline<String, Msg> pipeline = OrderedPipeline.<String, Msg>builder()
                .maxInFlight(2)
                .maxBuffered(1)
                .key(Msg::key)
                .handler(m -> waitFor(release))
                .metrics(registry, "metered")
                .build()) {
            pipeline.offer("p", 0, new Msg("a", 0));
            pipeline.offer("p", 1, new Msg("a", 1));
            CompletableFuture<Resequencer.Offer> blocked =
                    CompletableFuture.supplyAsync(() -> pipeline.offer("p", 2, new Msg("a", 2)));
            await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(5)).until(() -> !blocked.isDone());
            assertThat(registry.get("ordo.pipeline.in.flight")
                            .tag("stage", "metered")
                            .gauge()
                            .value())
                    .isEqualTo(2);
            release.countDown();
            blocked.get();
            await().atMost(Duration.ofSeconds(5)).until(() -> pipeline.inFlight() == 0);
        }
        assertThat(registry.get("ordo.pipeline.latency").timer().count()).isEqualTo(3);
        Timer reorder = registry.get("ordo.pipeline.stage.latency")
                .tags("stage", "metered", "phase", "reorder")
                .timer();
        Timer execute = registry.get("ordo.pipeline.stage.latency")
                .tags("stage", "metered", "phase", "execute")
                .timer();
        assertThat(reorder.count()).isEqualTo(3);
        assertThat(execute.count()).isEqualTo(3);
        // The handlers were held for at least 50 ms; that time is execution, not reordering.
        assertThat(execute.max(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(40);
        assertThat(reorder.totalTime(TimeUnit.NANOSECONDS) + execute.totalTime(TimeUnit.NANOSECONDS))
                .isLessThanOrEqualTo(
                        registry.get("ordo.pipeline.latency").timer().totalTime(TimeUnit.NANOSECONDS) + 1);
        assertThat(registry.get("ordo.pipeline.backpressure").timer().count()).isEqualTo(1);
        assertThat(registry.get("ordo.pipeline.backpressure").timer().totalTime(TimeUnit.MILLISECONDS))
                .isGreaterThanOrEqualTo(40);
        assertThat(registry.get("ordo.resequencer.released")
                        .tag("stage", "metered")
                        .functionCounter()
                        .count())
                .isEqualTo(3);
    }

    @Test
    void aReorderBufferAsLargeAsTheBudgetIsRefused() {
        assertThatThrownBy(() -> OrderedPipeline.<String, Msg>builder()
                        .maxInFlight(10)
                        .maxBuffered(10)
                        .key(Msg::key)
                        .handler(m -> {})
                        .build())
                .hasMessageStartingWith("maxBuffered must be < maxInFlight (10), was 10");
    }

    private static void waitFor(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
