package dev.ordo.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.IntPredicate;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * A clean run with a known number of faults injected per class: the checker reports exactly those
 * counts, each fault under one class only.
 */
class OrderingCheckerProperties {

    private static final long T0 = 1_767_225_600_000L;
    private static final long TWO_HOURS = 7_200_000L;

    @Property(tries = 300)
    void theCheckerCountsEachInjectedFaultOnceUnderItsOwnClass(
            @ForAll @IntRange(min = 1, max = 300) int n,
            @ForAll @IntRange(min = 1, max = 12) int keys,
            @ForAll @IntRange(min = 1, max = 3) int sources,
            @ForAll @IntRange(min = 2, max = 8) int partitions,
            @ForAll @IntRange(min = 0, max = 20) int losses,
            @ForAll @IntRange(min = 0, max = 20) int duplicates,
            @ForAll @IntRange(min = 0, max = 20) int reorders,
            @ForAll @IntRange(min = 0, max = 20) int mismatches,
            @ForAll @IntRange(min = 0, max = 20) int timestampAnomalies,
            @ForAll @IntRange(min = 0, max = 10) int holes,
            @ForAll long seed) {
        Random random = new Random(seed);
        PartitionLayout<String> layout = PartitionLayout.kafkaDefault(partitions);
        Map<Anomaly, Long> expected = new EnumMap<>(Anomaly.class);

        // The clean run; each source's numbers skip one now and then (a hole between two sends).
        List<Message> sent = new ArrayList<>();
        long[] nextSequence = new long[sources];
        for (int i = 0; i < n; i++) {
            int source = random.nextInt(sources);
            if (nextSequence[source] > 0 && count(expected, Anomaly.GAP) < holes && random.nextInt(4) == 0) {
                nextSequence[source]++;
                expected.merge(Anomaly.GAP, 1L, Long::sum);
            }
            String key = "k" + random.nextInt(keys);
            long time = T0 + 10L * i;
            sent.add(new Message(key, "s" + source, nextSequence[source]++, "m" + i)
                    .withPartition(layout.partitionOf(key))
                    .withTimestamp(time)
                    .withAt(time));
        }

        // Losses.
        Set<Integer> lost = pick(random, n, losses, i -> true);
        expected.put(Anomaly.LOST, (long) lost.size());

        // Reorders: a message delayed until just after a later message of its key that is itself
        // neither lost nor delayed.
        Map<Integer, List<Integer>> delayedAfter = new HashMap<>();
        Set<Integer> delayed = new HashSet<>();
        Set<Integer> pinned = new HashSet<>();
        for (int tries = 0; tries < 4 * n && delayed.size() < reorders; tries++) {
            int d = random.nextInt(n);
            if (lost.contains(d) || delayed.contains(d) || pinned.contains(d)) {
                continue;
            }
            int target = nextOfKey(sent, d, i -> !lost.contains(i) && !delayed.contains(i));
            if (target >= 0) {
                delayed.add(d);
                pinned.add(target);
                delayedAfter.computeIfAbsent(target, t -> new ArrayList<>()).add(d);
            }
        }
        expected.put(Anomaly.REORDERED, (long) delayed.size());

        // Partition mismatches and event times two hours ahead of their receipt (Kafka allows one).
        Set<Integer> misplaced = pick(random, n, mismatches, i -> !lost.contains(i));
        expected.put(Anomaly.PARTITION_MISMATCH, (long) misplaced.size());
        Set<Integer> mistimed = pick(random, n, timestampAnomalies, i -> !lost.contains(i));
        expected.put(Anomaly.TIMESTAMP_ANOMALY, (long) mistimed.size());

        List<Message> received = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (lost.contains(i) || delayed.contains(i)) {
                continue;
            }
            received.add(receipt(sent.get(i), misplaced.contains(i), mistimed.contains(i), partitions));
            for (int d : delayedAfter.getOrDefault(i, List.of())) {
                received.add(receipt(sent.get(d), misplaced.contains(d), mistimed.contains(d), partitions));
            }
        }

        // Duplicates: another copy of a receipt, anywhere after it.
        long copies = 0;
        for (; copies < duplicates && !received.isEmpty(); copies++) {
            int original = random.nextInt(received.size());
            int at = original + 1 + random.nextInt(received.size() - original);
            received.add(at, received.get(original));
        }
        expected.put(Anomaly.DUPLICATED, copies);

        expected.values().removeIf(count -> count == 0);
        CheckReport report =
                OrderingChecker.check(sent, received, Expectations.defaults().withLayout(layout));

        Map<Anomaly, Long> reported = new EnumMap<>(Anomaly.class);
        report.findings().forEach(f -> reported.put(f.anomaly(), f.count()));
        assertThat(reported).as(report.summary()).isEqualTo(expected);
        assertThat(report.sent()).isEqualTo(n);
        assertThat(report.received()).isEqualTo(received.size());
    }

    private static Message receipt(Message sent, boolean misplaced, boolean mistimed, int partitions) {
        Message receipt = sent.withAt(sent.at() + 5);
        if (misplaced) {
            receipt = receipt.withPartition((sent.partition() + 1) % partitions);
        }
        if (mistimed) {
            receipt = receipt.withTimestamp(receipt.at() + TWO_HOURS);
        }
        return receipt;
    }

    private static long count(Map<Anomaly, Long> counts, Anomaly anomaly) {
        return counts.getOrDefault(anomaly, 0L);
    }

    /** The index of the next message after {@code index} with its key that {@code eligible} accepts, or -1. */
    private static int nextOfKey(List<Message> sent, int index, IntPredicate eligible) {
        String key = sent.get(index).key();
        for (int i = index + 1; i < sent.size(); i++) {
            if (sent.get(i).key().equals(key) && eligible.test(i)) {
                return i;
            }
        }
        return -1;
    }

    /** Up to {@code wanted} distinct indexes in [0, n) that {@code eligible} accepts. */
    private static Set<Integer> pick(Random random, int n, int wanted, IntPredicate eligible) {
        Set<Integer> picked = new HashSet<>();
        for (int tries = 0; tries < 4 * n && picked.size() < wanted; tries++) {
            int i = random.nextInt(n);
            if (eligible.test(i)) {
                picked.add(i);
            }
        }
        return picked;
    }
}
