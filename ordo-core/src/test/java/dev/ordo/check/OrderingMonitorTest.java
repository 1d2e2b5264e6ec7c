package dev.ordo.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrderingMonitorTest {

    private final List<String> seen = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private OrderingMonitor<String> monitor() {
        return OrderingMonitor.<String>builder()
                .stage("test")
                .registry(registry)
                .firstSequence(0)
                .listener((v, key, seq, expected) -> seen.add(v + " " + key + " " + seq + " expected " + expected))
                .build();
    }

    @Test
    void anInOrderStreamRaisesNothing() {
        OrderingMonitor<String> monitor = monitor();
        for (long s = 0; s < 100; s++) {
            assertThat(monitor.observe("a", s)).isNull();
            assertThat(monitor.observe("b", s)).isNull();
        }
        assertThat(seen).isEmpty();
    }

    @Test
    void flagsGapsReordersAndDuplicatesTheMomentTheyHappen() {
        OrderingMonitor<String> monitor = monitor();
        monitor.observe("a", 0);
        assertThat(monitor.observe("a", 3)).isEqualTo(OrderingMonitor.Violation.GAP);
        assertThat(monitor.observe("a", 1)).isEqualTo(OrderingMonitor.Violation.REORDER);
        assertThat(monitor.observe("a", 1)).isEqualTo(OrderingMonitor.Violation.DUPLICATE);
        assertThat(monitor.observe("a", 2)).isEqualTo(OrderingMonitor.Violation.REORDER);
        assertThat(monitor.observe("a", 3)).isEqualTo(OrderingMonitor.Violation.DUPLICATE);
        assertThat(monitor.observe("a", 4)).isNull();
        assertThat(seen)
                .containsExactly(
                        "GAP a 3 expected 1",
                        "REORDER a 1 expected 4",
                        "DUPLICATE a 1 expected 4",
                        "REORDER a 2 expected 4",
                        "DUPLICATE a 3 expected 4");
        assertThat(registry.get("ordo.ordering.violations")
                        .tag("kind", "gap")
                        .tag("stage", "test")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(monitor.count(OrderingMonitor.Violation.REORDER)).isEqualTo(2);
        assertThat(monitor.count(OrderingMonitor.Violation.DUPLICATE)).isEqualTo(2);
    }

    @Test
    void aWatchSeesTheSameAsObservingByKeyAndSharesTheKeysState() {
        OrderingMonitor<String> monitor = monitor();
        OrderingMonitor.Watch a = monitor.watch("a");
        assertThat(a.observe(0)).isNull();
        assertThat(monitor.observe("a", 1))
                .as("the key's state is shared with the map")
                .isNull();
        assertThat(a.observe(3)).isEqualTo(OrderingMonitor.Violation.GAP);
        assertThat(a.observe(2)).isEqualTo(OrderingMonitor.Violation.REORDER);
        assertThat(monitor.observe("a", 2)).isEqualTo(OrderingMonitor.Violation.DUPLICATE);
        assertThat(seen).containsExactly("GAP a 3 expected 2", "REORDER a 2 expected 4", "DUPLICATE a 2 expected 4");
        assertThat(monitor.count(OrderingMonitor.Violation.GAP)).isEqualTo(1);
    }

    @Test
    void aMissingFirstMessageIsAGapWhenTheStartIsDeclared() {
        assertThat(monitor().observe("a", 1)).isEqualTo(OrderingMonitor.Violation.GAP);
        OrderingMonitor<String> undeclared = OrderingMonitor.<String>builder().build();
        assertThat(undeclared.observe("a", 41))
                .as("the first message seen starts the stream")
                .isNull();
        assertThat(undeclared.observe("a", 42)).isNull();
    }

    @Test
    void memoryIsBoundedInKeysAndRememberedGaps() {
        OrderingMonitor<String> monitor = OrderingMonitor.<String>builder()
                .maxKeys(2)
                .maxMissingPerKey(2)
                .firstSequence(0)
                .build();
        monitor.observe("a", 10);
        assertThat(monitor.observe("a", 2))
                .as("forgotten missing numbers count as duplicates")
                .isEqualTo(OrderingMonitor.Violation.DUPLICATE);
        assertThat(monitor.observe("a", 9)).isEqualTo(OrderingMonitor.Violation.REORDER);
        monitor.observe("b", 0);
        monitor.observe("c", 0);
        monitor.observe("d", 0);
        assertThat(monitor.observe("e", 0)).isNull();
    }
}
