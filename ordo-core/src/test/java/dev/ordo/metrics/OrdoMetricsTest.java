package dev.ordo.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.causal.CausalDeliveryBuffer;
import dev.ordo.causal.VectorClock;
import dev.ordo.exec.KeyOrderedExecutor;
import dev.ordo.sequence.Resequencer;
import dev.ordo.time.EventTimeReorderer;
import dev.ordo.time.WatermarkStrategy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class OrdoMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void resequencerMetersFollowItsStatistics() {
        Resequencer<String, String> r = Resequencer.<String, String>builder().build((s, q, m) -> {});
        OrdoMetrics.resequencer(r, "orders", "topic", "ledger").bindTo(registry);
        r.offer("p", 2, "m");
        r.offer("p", 0, "m");
        r.offer("p", 0, "m");
        assertThat(registry.get("ordo.resequencer.released")
                        .tags("stage", "orders", "topic", "ledger")
                        .functionCounter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("ordo.resequencer.duplicates").functionCounter().count())
                .isEqualTo(1);
        assertThat(registry.get("ordo.resequencer.buffered").gauge().value()).isEqualTo(1);
        assertThat(registry.get("ordo.resequencer.gaps").functionCounter().count())
                .isEqualTo(1);
    }

    @Test
    void executorAndEventTimeMetersFollowTheirStatistics() {
        try (KeyOrderedExecutor<String> executor =
                KeyOrderedExecutor.<String>builder().build()) {
            OrdoMetrics.executor(executor, "handlers").bindTo(registry);
            executor.submit("k", () -> {}).join();
            assertThat(registry.get("ordo.executor.submitted")
                            .tag("stage", "handlers")
                            .functionCounter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get("ordo.executor.succeeded").functionCounter().count())
                    .isEqualTo(1);
        }
        EventTimeReorderer<String, String> reorderer = EventTimeReorderer.<String, String>builder()
                .watermarks(WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofMillis(5)))
                .build(e -> {});
        OrdoMetrics.eventTime(reorderer, "sensors").bindTo(registry);
        reorderer.offer("s", 0, 100, "x");
        reorderer.offer("s", 1, 110, "y");
        assertThat(registry.get("ordo.eventtime.released").functionCounter().count())
                .isEqualTo(1);
        assertThat(registry.get("ordo.eventtime.watermark").gauge().value()).isEqualTo(104);
        assertThat(registry.get("ordo.eventtime.bound").gauge().value()).isEqualTo(5);
    }

    @Test
    void causalMetersFollowTheBuffer() {
        CausalDeliveryBuffer<String> buffer =
                CausalDeliveryBuffer.<String>builder().build((sender, clock, m) -> {});
        OrdoMetrics.causal(buffer, "chat").bindTo(registry);
        VectorClock question = VectorClock.empty().increment("alice");
        buffer.offer("bob", question.increment("bob"), "reply");
        assertThat(registry.get("ordo.causal.buffered")
                        .tag("stage", "chat")
                        .gauge()
                        .value())
                .isEqualTo(1);
        buffer.offer("alice", question, "question");
        buffer.offer("alice", question, "question");
        assertThat(registry.get("ordo.causal.delivered").functionCounter().count())
                .isEqualTo(2);
        assertThat(registry.get("ordo.causal.duplicates").functionCounter().count())
                .isEqualTo(1);
        assertThat(registry.get("ordo.causal.buffered").gauge().value()).isZero();
    }
}
