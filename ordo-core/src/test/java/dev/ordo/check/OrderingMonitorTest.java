package dev.ordo.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
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
                        .tag("severity", "warning")
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

    @Test
    void everyViolationHasASeverityTaggedOnItsMeter() {
        OrderingMonitor<String> monitor = monitor();
        monitor.observe("a", 0);
        monitor.observe("a", 2);
        monitor.observe("a", 1);
        assertThat(OrderingMonitor.Violation.REORDER.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(OrderingMonitor.Violation.DUPLICATE.severity()).isEqualTo(Severity.WARNING);
        assertThat(OrderingMonitor.Violation.TIMESTAMP_ANOMALY.severity()).isEqualTo(Severity.INFO);
        assertThat(registry.get("ordo.ordering.violations")
                        .tag("severity", "critical")
                        .counters())
                .singleElement()
                .satisfies(c -> {
                    assertThat(c.getId().getTag("kind")).isEqualTo("reorder");
                    assertThat(c.count()).isEqualTo(1);
                });
        for (OrderingMonitor.Violation v : OrderingMonitor.Violation.values()) {
            assertThat(registry.get("ordo.ordering.violations")
                            .tag("kind", v.name().toLowerCase(Locale.ROOT))
                            .counter()
                            .getId()
                            .getTag("severity"))
                    .isEqualTo(v.severity().name().toLowerCase(Locale.ROOT));
        }
    }

    @Test
    void aRecordReadFromAPartitionItsKeyDoesNotBelongInIsAMismatch() {
        PartitionLayout<String> layout = PartitionLayout.kafkaDefault(8);
        OrderingMonitor<String> monitor = OrderingMonitor.<String>builder()
                .registry(registry)
                .partitionLayout(layout)
                .listener((v, key, observed, expected) ->
                        seen.add(v + " " + key + " " + observed + " expected " + expected))
                .build();
        int home = layout.partitionOf("ACC-1");
        int other = (home + 1) % 8;
        assertThat(monitor.observePartition("ACC-1", home)).isNull();
        assertThat(monitor.observePartition("ACC-1", other)).isEqualTo(OrderingMonitor.Violation.PARTITION_MISMATCH);
        OrderingMonitor<String>.Watch watch = monitor.watch("ACC-1");
        assertThat(watch.observePartition(home)).isNull();
        assertThat(watch.observePartition(other)).isEqualTo(OrderingMonitor.Violation.PARTITION_MISMATCH);
        assertThat(seen)
                .containsExactly(
                        "PARTITION_MISMATCH ACC-1 " + other + " expected " + home,
                        "PARTITION_MISMATCH ACC-1 " + other + " expected " + home);
        assertThat(monitor.count(OrderingMonitor.Violation.PARTITION_MISMATCH)).isEqualTo(2);
        assertThatThrownBy(() -> monitor.observePartition("ACC-1", -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("partition must be >= 0, was -1");
    }

    @Test
    void anEventTimeBeyondTheBoundsAroundTheClockIsAnAnomaly() {
        AtomicLong now = new AtomicLong(1_767_225_600_000L);
        OrderingMonitor<String> monitor = OrderingMonitor.<String>builder()
                .registry(registry)
                .timestampBounds(TimestampBounds.of(Duration.ofMinutes(10), Duration.ofMinutes(1)))
                .clock(() -> Instant.ofEpochMilli(now.get()))
                .listener((v, key, observed, expected) ->
                        seen.add(v + " " + key + " " + observed + " expected " + expected))
                .build();
        long t = now.get();
        assertThat(monitor.observeTimestamp("a", t + 60_000)).isNull();
        assertThat(monitor.observeTimestamp("a", t - 600_000)).isNull();
        assertThat(monitor.observeTimestamp("a", -1)).as("no timestamp").isNull();
        assertThat(monitor.observeTimestamp("a", t + 60_001)).isEqualTo(OrderingMonitor.Violation.TIMESTAMP_ANOMALY);
        now.addAndGet(3_600_000);
        assertThat(monitor.watch("a").observeTimestamp(t)).isEqualTo(OrderingMonitor.Violation.TIMESTAMP_ANOMALY);
        assertThat(seen)
                .containsExactly(
                        "TIMESTAMP_ANOMALY a " + (t + 60_001) + " expected " + t,
                        "TIMESTAMP_ANOMALY a " + t + " expected " + (t + 3_600_000));
        assertThat(registry.get("ordo.ordering.violations")
                        .tag("kind", "timestamp_anomaly")
                        .tag("severity", "info")
                        .counter()
                        .count())
                .isEqualTo(2);
    }

    @Test
    void aCheckThatWasNotConfiguredRefusesToRunRatherThanPass() {
        OrderingMonitor<String> monitor = OrderingMonitor.<String>builder().build();
        assertThatThrownBy(() -> monitor.observePartition("a", 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("no partition layout configured: see Builder.partitionLayout");
        assertThatThrownBy(() -> monitor.watch("a").observeTimestamp(0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("no timestamp bounds configured: see Builder.timestampBounds");
        assertThat(monitor.observe("a", 0)).isNull();
    }
}
