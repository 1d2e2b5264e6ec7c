package dev.ordo.log.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ordo.log.storage.Record;
import dev.ordo.log.storage.RecordBatch;
import dev.ordo.partition.WeightedAssignment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine measures each partition's load every second (ticked by hand here, one tick a second of
 * its clock) and acts on it: auto-scaled topics grow and shrink with hysteresis, a key too hot for one
 * partition is named, and consumer groups share partitions by load.
 */
class LoadAwareTopicsTest {

    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path data;

    private long now = SECOND;

    @Test
    void anAutoScaledTopicGrowsWhenItsLoadStaysAboveTheTargetAndShrinksOnlyAfterItStaysLow() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data, false)) {
            log.createTopic("busy", TopicSpec.partitions(2).autoScale(2, 8, 100));
            tick(log);
            for (int second = 1; second < AutoScale.GROW_AFTER_SECONDS; second++) {
                appendSpread(log, "busy", 1_000);
                tick(log);
                assertThat(log.layout("busy").partitions())
                        .as("not yet: %d s over", second)
                        .isEqualTo(2);
            }
            appendSpread(log, "busy", 1_000);
            tick(log);
            assertThat(log.layout("busy").partitions())
                    .as("1,000 records/s at 100 per partition, at most 8")
                    .isEqualTo(8);
            assertThat(log.describe("busy").partitions().get(0).recordsPerSecond())
                    .isGreaterThan(100);

            for (int second = 1; second < AutoScale.SHRINK_AFTER_SECONDS; second++) {
                tick(log);
            }
            assertThat(log.layout("busy").partitions())
                    .as("quiet, but not long enough")
                    .isEqualTo(8);
            tick(log);
            assertThat(log.layout("busy").partitions()).isEqualTo(2);
            assertThat(log.layout("busy").layouts()).hasSize(3);
        }
        try (EmbeddedLog log = EmbeddedLog.open(data, false)) {
            assertThat(log.describe("busy").layout().partitions())
                    .as("the scaling survives a reopen")
                    .isEqualTo(2);
        }
    }

    @Test
    void eachPartitionsBytesPerSecondAreMeasuredBesideItsRecords() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data, false)) {
            log.createTopic("sized", TopicSpec.partitions(2));
            tick(log);
            for (int i = 0; i < 1_000; i++) {
                log.append("sized", null, new byte[100]);
            }
            tick(log);
            TopicDescription.PartitionState first =
                    log.describe("sized").partitions().get(0);
            assertThat(first.recordsPerSecond()
                            + log.describe("sized").partitions().get(1).recordsPerSecond())
                    .isEqualTo(1_000);
            assertThat(first.bytesPerSecond())
                    .as("100 B values and each record's framing")
                    .isBetween(first.recordsPerSecond() * 100, first.recordsPerSecond() * 250);
            tick(log);
            assertThat(log.describe("sized").partitions().get(0).bytesPerSecond())
                    .as("nothing appended in the last second")
                    .isZero();
        }
    }

    @Test
    void aKeyTooHotForOnePartitionIsNamedRatherThanSplit() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data, false)) {
            log.createTopic("hot", TopicSpec.partitions(2).autoScale(2, 4, 100));
            tick(log);
            for (int second = 0; second < AutoScale.GROW_AFTER_SECONDS; second++) {
                for (int i = 0; i < 1_000; i++) {
                    log.append("hot", bytes("ACC-42"), bytes("op"));
                }
                tick(log);
            }
            assertThat(log.describe("hot").hotKey()).isEqualTo("ACC-42");
        }
    }

    @Test
    void aGroupSharesASkewedTopicByMeasuredLoadWhereCountsWouldDoubleTheBusiestMember() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data, false)) {
            log.createTopic("skewed", TopicSpec.partitions(12));
            tick(log);
            for (int p = 0; p < 12; p++) {
                appendTo(log, "skewed", p, 1_200 / (p + 1)); // a few busy partitions, many quiet ones
            }
            tick(log);
            double[] rates = log.loadWatch().recordsPerSecond("skewed");

            List<GroupCoordinator.Member> members = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                members.add(log.groups().join("g", "skewed", 12, false));
            }
            Map<Long, Set<Integer>> byLoad = new HashMap<>();
            members.forEach(m -> byLoad.put(m.id(), m.group().target(m.id())));
            Map<Long, Set<Integer>> byCount = GroupCoordinator.assign(
                    12, members.stream().map(GroupCoordinator.Member::id).toList(), new Long[12]);

            assertThat(WeightedAssignment.imbalance(byLoad, rates)).isLessThanOrEqualTo(1.25);
            assertThat(WeightedAssignment.imbalance(byCount, rates)).isGreaterThanOrEqualTo(2.0);
        }
    }

    @Test
    void whenTheLoadShiftsUnderAGroupItsPartitionsAreSharedAnewAfterALook() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data, false)) {
            log.createTopic("shifting", TopicSpec.partitions(6));
            List<GroupCoordinator.Member> members = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                members.add(log.groups().join("g", "shifting", 6, false)); // nothing measured: by count
            }
            int generation = members.get(0).group().generation();
            tick(log);
            for (int second = 2; second < LoadWatch.REBALANCE_LOOK_SECONDS; second++) { // ticks 2 to 29
                appendTo(log, "shifting", 0, 500); // partitions 0 and 1 become the busy ones
                appendTo(log, "shifting", 1, 500);
                tick(log);
            }
            assertThat(members.get(0).group().generation())
                    .as("not before the look")
                    .isEqualTo(generation);
            double[] rates = log.loadWatch().recordsPerSecond("shifting");
            Map<Long, Set<Integer>> before = new HashMap<>();
            members.forEach(m -> before.put(m.id(), m.group().target(m.id())));
            assertThat(WeightedAssignment.imbalance(before, rates)).isGreaterThan(1.5);

            appendTo(log, "shifting", 0, 500);
            appendTo(log, "shifting", 1, 500);
            tick(log);

            Map<Long, Set<Integer>> after = new HashMap<>();
            members.forEach(m -> after.put(m.id(), m.group().target(m.id())));
            assertThat(members.get(0).group().generation()).isGreaterThan(generation);
            assertThat(WeightedAssignment.imbalance(after, log.loadWatch().recordsPerSecond("shifting")))
                    .isLessThanOrEqualTo(1.25);
        }
    }

    @Test
    void aPinnedPartitionStaysWithItsMemberWhateverTheLoadAndCannotBePinnedTwice() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data, false)) {
            log.createTopic("skewed", TopicSpec.partitions(6));
            tick(log);
            for (int p = 0; p < 6; p++) {
                appendTo(log, "skewed", p, 600 / (p + 1));
            }
            tick(log);
            GroupCoordinator.Member first = log.groups().join("g", "skewed", 6, false);
            GroupCoordinator.Member pinning = log.groups().join("g", "skewed", 6, false, Set.of(0, 5));
            GroupCoordinator.Member third = log.groups().join("g", "skewed", 6, false);

            assertThat(pinning.group().target(pinning.id())).contains(0, 5);
            assertThat(first.group().target(first.id())).doesNotContain(0, 5);
            assertThat(third.group().target(third.id())).doesNotContain(0, 5);
            assertThatThrownBy(() -> log.groups().join("g", "skewed", 6, false, Set.of(5)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("partition 5 of topic 'skewed' is pinned to another member of group 'g'");
            log.groups().leave(pinning);
            assertThat(log.groups()
                            .join("g", "skewed", 6, false, Set.of(5))
                            .group()
                            .generation())
                    .as("free again once its member left")
                    .isPositive();
        }
    }

    @Test
    void autoScaleBoundsAreCheckedNamingTheValues() {
        assertThatThrownBy(() -> TopicSpec.partitions(4).autoScale(5, 3, 100))
                .hasMessage("autoScale needs 1 <= min <= max <= 10000, was min 5, max 3");
        assertThatThrownBy(() -> TopicSpec.partitions(4).autoScale(1, 3, 100))
                .hasMessage("partitions must be within autoScale's [1, 3], was 4");
        assertThatThrownBy(() -> TopicSpec.partitions(4).autoScale(1, 8, 0))
                .hasMessage("targetPerPartition must be > 0, was 0.0");
    }

    private void tick(EmbeddedLog log) {
        log.loadWatch().tick(now);
        now += SECOND;
    }

    private static void appendSpread(EmbeddedLog log, String topic, int records) throws IOException {
        for (int i = 0; i < records; i++) {
            log.append(topic, bytes("k" + i), bytes("op"));
        }
    }

    private static void appendTo(EmbeddedLog log, String topic, int partition, int records) throws IOException {
        List<Record> batch = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            batch.add(new Record(-1, System.currentTimeMillis(), bytes("k" + i), bytes("op"), List.of()));
        }
        log.partition(topic, partition).append(batch, RecordBatch.Producer.NONE);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
