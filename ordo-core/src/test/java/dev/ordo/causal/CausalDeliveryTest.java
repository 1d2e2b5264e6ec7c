package dev.ordo.causal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ordo.ManualTicker;
import dev.ordo.OverloadedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CausalDeliveryTest {

    private final ManualTicker ticker = new ManualTicker();
    private final List<String> out = new ArrayList<>();

    private CausalDeliveryBuffer<String> buffer(int max) {
        return CausalDeliveryBuffer.<String>builder()
                .maxBuffered(max)
                .ticker(ticker)
                .dependencyTimeout(Duration.ofSeconds(5))
                .build((sender, clock, m) -> out.add(m));
    }

    private static VectorClock vc(long a, long b) {
        return VectorClock.of(Map.of("a", a, "b", b));
    }

    @Test
    void aReplyWaitsForTheQuestionItAnswers() {
        CausalDeliveryBuffer<String> buffer = buffer(10);
        // a asks (a1), b saw it and replies (b1 with a=1)
        assertThat(buffer.offer("b", vc(1, 1), "reply")).isEqualTo(CausalDeliveryBuffer.Offer.BUFFERED);
        assertThat(buffer.offer("a", vc(1, 0), "question")).isEqualTo(CausalDeliveryBuffer.Offer.DELIVERED);
        assertThat(out).containsExactly("question", "reply");
        assertThat(buffer.deliveredClock()).isEqualTo(vc(1, 1));
    }

    @Test
    void messagesOfOneSenderAreDeliveredInTheirOrder() {
        CausalDeliveryBuffer<String> buffer = buffer(10);
        buffer.offer("a", vc(3, 0), "a3");
        buffer.offer("a", vc(2, 0), "a2");
        buffer.offer("b", vc(0, 1), "b1");
        buffer.offer("a", vc(1, 0), "a1");
        assertThat(out).containsExactly("b1", "a1", "a2", "a3");
    }

    @Test
    void duplicatesAreDropped() {
        CausalDeliveryBuffer<String> buffer = buffer(10);
        buffer.offer("a", vc(1, 0), "a1");
        buffer.offer("a", vc(3, 0), "a3");
        assertThat(buffer.offer("a", vc(1, 0), "a1")).isEqualTo(CausalDeliveryBuffer.Offer.DUPLICATE);
        assertThat(buffer.offer("a", vc(3, 0), "a3")).isEqualTo(CausalDeliveryBuffer.Offer.DUPLICATE);
        assertThat(buffer.duplicates()).isEqualTo(2);
    }

    @Test
    void aDependencyThatNeverArrivesIsReportedNamingIt() {
        CausalDeliveryBuffer<String> buffer = buffer(10);
        buffer.offer("b", vc(2, 1), "reply to a2");
        ticker.advance(Duration.ofSeconds(5));
        assertThatThrownBy(buffer::tick)
                .isInstanceOf(CausalityTimeoutException.class)
                .hasMessageContaining("message b#1")
                .hasMessageContaining("a #1..2");
        buffer.tick();
        assertThat(buffer.buffered()).as("reported once, still waiting").isEqualTo(1);
    }

    @Test
    void boundedAndBadInputRefused() {
        CausalDeliveryBuffer<String> buffer = buffer(1);
        buffer.offer("a", vc(2, 0), "a2");
        assertThatThrownBy(() -> buffer.offer("a", vc(3, 0), "a3"))
                .isInstanceOf(OverloadedException.class)
                .hasMessage("causal buffer holds 1 messages; maxBuffered is 1");
        assertThatThrownBy(() -> buffer.offer("a", vc(0, 1), "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clock[a] must be >= 1, was 0");
        assertThat(buffer.buffered()).isEqualTo(1);
    }

    @Test
    void dependencyGraphDeliversAfterDependenciesTransitively() {
        List<String> delivered = new ArrayList<>();
        DependencyGraphDelivery<String> graph =
                DependencyGraphDelivery.<String>builder().build((id, m) -> delivered.add(id));
        graph.offer("c", Set.of("a", "b"), "c");
        graph.offer("b", Set.of("a"), "b");
        assertThat(delivered).isEmpty();
        assertThat(graph.offer("a", Set.of(), "a")).isEqualTo(DependencyGraphDelivery.Offer.DELIVERED);
        assertThat(delivered).containsExactly("a", "b", "c");
        assertThat(graph.offer("b", Set.of("a"), "b")).isEqualTo(DependencyGraphDelivery.Offer.DUPLICATE);
        assertThat(graph.buffered()).isZero();
    }

    @Test
    void dependencyCyclesAreRefusedNamingTheCycle() {
        DependencyGraphDelivery<String> graph =
                DependencyGraphDelivery.<String>builder().build((id, m) -> {});
        graph.offer("x", Set.of("y"), "x");
        graph.offer("y", Set.of("z"), "y");
        assertThatThrownBy(() -> graph.offer("z", Set.of("x"), "z"))
                .isInstanceOf(DependencyCycleException.class)
                .hasMessage("dependency cycle: z -> x -> y -> z");
        assertThatThrownBy(() -> graph.offer("self", Set.of("self"), "s")).hasMessage("dependency cycle: self -> self");
        assertThat(graph.buffered()).isEqualTo(2);
    }

    @Test
    void missingDependenciesAreReportedAfterTheTimeout() {
        DependencyGraphDelivery<String> graph = DependencyGraphDelivery.<String>builder()
                .ticker(ticker)
                .dependencyTimeout(Duration.ofSeconds(1))
                .build((id, m) -> {});
        graph.offer("answer", Set.of("question"), "answer");
        graph.tick();
        ticker.advance(Duration.ofSeconds(1));
        assertThatThrownBy(graph::tick)
                .isInstanceOf(MissingDependencyException.class)
                .hasMessageContaining("message answer")
                .hasMessageContaining("[question]");
    }

    @Test
    void totalOrderWaitsForEveryInputThenReleasesByTimestampThenInput() {
        List<String> out = new ArrayList<>();
        TotalOrderMerger<String> merger =
                TotalOrderMerger.<String>builder().inputs(List.of("n1", "n2")).build((input, ts, e) -> out.add(e));
        merger.offer("n2", ts(10), "n2@10");
        merger.offer("n1", ts(10), "n1@10");
        assertThat(out).as("n1@10 sorts before n2@10; n2 may still send at 10").containsExactly("n1@10");
        merger.offer("n1", ts(12), "n1@12");
        assertThat(out).containsExactly("n1@10", "n2@10");
        merger.heartbeat("n2", ts(20));
        assertThat(out).containsExactly("n1@10", "n2@10", "n1@12");
        assertThatThrownBy(() -> merger.offer("n1", ts(11), "back")).hasMessageContaining("must not go back from 12.0");
        assertThatThrownBy(() -> merger.offer("n3", ts(30), "x")).hasMessageContaining("input must be one of");
    }

    private static HybridTimestamp ts(long ms) {
        return new HybridTimestamp(ms, 0);
    }
}
