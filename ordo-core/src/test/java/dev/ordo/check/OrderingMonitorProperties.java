package dev.ordo.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * A per-key ordered stream with a known number of faults injected: the monitor counts exactly
 * those, whether it is called by key or through watches.
 */
class OrderingMonitorProperties {

    private static final long NOW = 1_767_225_600_000L;

    private record Observation(String key, long sequence, int partition, long timestamp) {}

    @Property(tries = 200)
    void theMonitorCountsEachInjectedFaultUnderItsClass(
            @ForAll @IntRange(min = 1, max = 300) int n,
            @ForAll @IntRange(min = 1, max = 12) int keys,
            @ForAll @IntRange(min = 2, max = 8) int partitions,
            @ForAll @IntRange(min = 0, max = 20) int swaps,
            @ForAll @IntRange(min = 0, max = 20) int duplicates,
            @ForAll @IntRange(min = 0, max = 20) int mismatches,
            @ForAll @IntRange(min = 0, max = 20) int timestampAnomalies,
            @ForAll long seed) {
        Random random = new Random(seed);
        PartitionLayout<String> layout = PartitionLayout.kafkaDefault(partitions);
        List<Observation> stream = new ArrayList<>();
        Map<String, List<Integer>> positionsOfKey = new HashMap<>();
        Map<String, Long> next = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String key = "k" + random.nextInt(keys);
            stream.add(new Observation(key, next.merge(key, 1L, Long::sum) - 1, layout.partitionOf(key), NOW));
            positionsOfKey.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
        }
        Map<OrderingMonitor.Violation, Long> expected = new EnumMap<>(OrderingMonitor.Violation.class);

        // Adjacent messages of a key exchanged: a GAP when the later one passes, a REORDER for the other.
        Set<Integer> swapped = new HashSet<>();
        List<String> keyList = new ArrayList<>(positionsOfKey.keySet());
        for (int tries = 0; tries < 4 * n && swapped.size() < 2 * swaps; tries++) {
            List<Integer> positions = positionsOfKey.get(keyList.get(random.nextInt(keyList.size())));
            if (positions.size() < 2) {
                continue;
            }
            int j = random.nextInt(positions.size() - 1);
            int a = positions.get(j);
            int b = positions.get(j + 1);
            if (swapped.contains(a) || swapped.contains(b)) {
                continue;
            }
            swapped.add(a);
            swapped.add(b);
            Observation first = stream.get(a);
            Observation second = stream.get(b);
            stream.set(a, new Observation(first.key(), second.sequence(), first.partition(), first.timestamp()));
            stream.set(b, new Observation(second.key(), first.sequence(), second.partition(), second.timestamp()));
        }
        expected.put(OrderingMonitor.Violation.GAP, swapped.size() / 2L);
        expected.put(OrderingMonitor.Violation.REORDER, swapped.size() / 2L);

        // Wrong partitions and event times a day ahead, on distinct records.
        for (int i : pick(random, n, mismatches)) {
            Observation o = stream.get(i);
            stream.set(i, new Observation(o.key(), o.sequence(), (o.partition() + 1) % partitions, o.timestamp()));
        }
        expected.put(OrderingMonitor.Violation.PARTITION_MISMATCH, (long) Math.min(mismatches, n));
        for (int i : pick(random, n, timestampAnomalies)) {
            Observation o = stream.get(i);
            stream.set(i, new Observation(o.key(), o.sequence(), o.partition(), NOW + 86_400_000L));
        }
        expected.put(OrderingMonitor.Violation.TIMESTAMP_ANOMALY, (long) Math.min(timestampAnomalies, n));

        // A duplicate right after its original: it is then at or below the key's highest and not missing.
        for (int c = 0; c < duplicates; c++) {
            int original = random.nextInt(stream.size());
            Observation o = stream.get(original);
            stream.add(original + 1, new Observation(o.key(), o.sequence(), layout.partitionOf(o.key()), NOW));
        }
        expected.put(OrderingMonitor.Violation.DUPLICATE, (long) duplicates);

        OrderingMonitor<String> monitor = OrderingMonitor.<String>builder()
                .firstSequence(0)
                .partitionLayout(layout)
                .timestampBounds(TimestampBounds.kafkaDefault())
                .clock(() -> Instant.ofEpochMilli(NOW))
                .build();
        Map<String, OrderingMonitor<String>.Watch> watches = new HashMap<>();
        for (Observation o : stream) {
            if (random.nextBoolean()) {
                monitor.observe(o.key(), o.sequence());
                monitor.observePartition(o.key(), o.partition());
                monitor.observeTimestamp(o.key(), o.timestamp());
            } else {
                OrderingMonitor<String>.Watch watch = watches.computeIfAbsent(o.key(), monitor::watch);
                watch.observe(o.sequence());
                watch.observePartition(o.partition());
                watch.observeTimestamp(o.timestamp());
            }
        }

        Map<OrderingMonitor.Violation, Long> counted = new EnumMap<>(OrderingMonitor.Violation.class);
        for (OrderingMonitor.Violation v : OrderingMonitor.Violation.values()) {
            counted.put(v, monitor.count(v));
        }
        assertThat(counted).isEqualTo(expected);
    }

    /** {@code min(wanted, n)} distinct indexes in [0, n). */
    private static Set<Integer> pick(Random random, int n, int wanted) {
        Set<Integer> picked = new HashSet<>();
        while (picked.size() < Math.min(wanted, n)) {
            picked.add(random.nextInt(n));
        }
        return picked;
    }
}
