package dev.ordo.engine.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ordo.causal.HybridTimestamp;
import dev.ordo.engine.Headers;
import dev.ordo.engine.OrdoHeaders;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The total order's merge, without a consumer: whatever order the partitions' entries arrive in, records
 * leave by (raised stamp, partition, offset), never before a record that sorts earlier could still come; and
 * a restart from its commit points goes on in the same order.
 */
class TotalOrderMergeTest {

    /** One entry of a partition's log: a record, or a heartbeat that only moves the partition on. */
    record Entry(int partition, long offset, long stamp, boolean heartbeat) {
        String name() {
            return partition + "@" + offset;
        }
    }

    @Property(tries = 300)
    void recordsLeaveByRaisedStampThenPartitionThenOffsetWhateverOrderThePartitionsArriveIn(
            @ForAll @Size(min = 1, max = 4) List<@Size(max = 10) List<@IntRange(min = 0, max = 30) Integer>> stamps,
            @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 3) Integer> arrivals,
            @ForAll @Size(max = 60) List<Boolean> heartbeats) {
        List<List<Entry>> logs = logs(stamps, heartbeats);
        TotalOrderMerge<String> merge = new TotalOrderMerge<>("t", logs.size(), 10_000);
        for (int p = 0; p < logs.size(); p++) {
            merge.start(p, 0);
        }
        List<String> released = new ArrayList<>();
        deliver(merge, logs, new int[logs.size()], arrivals, released);
        assertThat(released).containsExactlyElementsOf(expectedOrder(logs, new long[logs.size()]));
        assertThat(merge.held()).isZero();
    }

    /**
     * A consumer that stops after any prefix of the arrivals, commits each partition at its commit point, and
     * starts again from there (the partitions' frontiers forgotten) handles the rest in the order it would
     * have handled it without stopping; records between a commit point and what was handled are handled
     * again, in their places.
     */
    @Property(tries = 300)
    void aRestartFromTheCommitPointsGoesOnInTheSameOrder(
            @ForAll @Size(min = 1, max = 4) List<@Size(max = 10) List<@IntRange(min = 0, max = 30) Integer>> stamps,
            @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 3) Integer> arrivals,
            @ForAll @Size(max = 60) List<Boolean> heartbeats,
            @ForAll @IntRange(min = 0, max = 60) int stopAfter,
            @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 3) Integer> arrivalsAfter) {
        List<List<Entry>> logs = logs(stamps, heartbeats);
        int partitions = logs.size();
        TotalOrderMerge<String> before = new TotalOrderMerge<>("t", partitions, 10_000);
        for (int p = 0; p < partitions; p++) {
            before.start(p, 0);
        }
        int[] next = new int[partitions];
        List<String> handled = new ArrayList<>();
        for (int choice : arrivals.subList(0, Math.min(stopAfter, arrivals.size()))) {
            offer(before, logs.get(choice % partitions), next, handled);
        }

        long[] commits = new long[partitions];
        TotalOrderMerge<String> after = new TotalOrderMerge<>("t", partitions, 10_000);
        for (int p = 0; p < partitions; p++) {
            commits[p] = before.commitPoint(p, handledTo(logs.get(p), next[p], handled));
            after.start(p, commits[p]);
            next[p] = (int) commits[p];
        }
        List<String> resumed = new ArrayList<>();
        deliver(after, logs, next, arrivalsAfter, resumed);
        assertThat(resumed).containsExactlyElementsOf(expectedOrder(logs, commits));
    }

    @Test
    void aPartitionHoldsNoMoreThanItsShareOfMaxInFlight() {
        TotalOrderMerge<String> merge = new TotalOrderMerge<>("t", 2, 20); // 20 / (2 x 2) = 5 per partition
        merge.start(0, 0);
        merge.start(1, 0);
        for (int o = 0; o < 3; o++) {
            merge.hold(0, o, stamp(10 + o), "0@" + o);
        }
        assertThat(merge.release()).as("partition 1 has said nothing").isEmpty();
        assertThat(merge.room(0)).isEqualTo(2);
        assertThat(merge.room(1)).isEqualTo(5);
        merge.capacity(8);
        assertThat(merge.room(0)).as("a smaller maxInFlight, a smaller share").isZero();
    }

    @Test
    void aWaitNamesThePartitionsThatHoldTheEarliestRecordBack() {
        TotalOrderMerge<String> merge = new TotalOrderMerge<>("ledger", 3, 1_000);
        merge.start(0, 0);
        merge.start(1, 0);
        merge.hold(0, 17, stamp(5), "ledger-0@17");
        merge.pass(1, 3, stamp(9));
        assertThat(merge.waiting())
                .hasValue("the total order of ledger holds 1 records; the earliest, ledger-0@17 stamped 5.0, waits for"
                        + " partitions [2] to pass it by a record or a producer heartbeat; this consumer does not own"
                        + " [2]");
        merge.start(2, 0);
        assertThat(merge.waiting().orElseThrow()).endsWith("(do all producers of ledger send heartbeats?)");
        merge.pass(2, 0, stamp(6));
        assertThat(merge.release()).containsExactly("ledger-0@17");
        assertThat(merge.waiting()).isEmpty();
    }

    @Test
    void stoppingAPartitionLetsItsWaitingRecordsGoAndForgetsItsFrontier() {
        TotalOrderMerge<String> merge = new TotalOrderMerge<>("t", 2, 1_000);
        merge.start(0, 0);
        merge.start(1, 0);
        merge.hold(0, 0, stamp(5), "0@0");
        merge.hold(0, 1, stamp(6), "0@1");
        assertThat(merge.stop(0)).containsExactly("0@0", "0@1");
        assertThat(merge.held()).isZero();
        merge.start(0, 0);
        merge.hold(1, 0, stamp(3), "1@0");
        assertThat(merge.release())
                .as("partition 0 has said nothing since it came back")
                .isEmpty();
        merge.pass(0, 0, stamp(4));
        assertThat(merge.release()).containsExactly("1@0");
    }

    @Test
    void aRecordWithoutAStampIsPlacedByItsLogTimestamp() {
        assertThat(TotalOrderMerge.stamp(Headers.empty(), 1_700_000_000_000L, 0, 0, "t"))
                .isEqualTo(new HybridTimestamp(1_700_000_000_000L, 0).pack());
        assertThat(TotalOrderMerge.stamp(
                        Headers.empty().with(OrdoHeaders.HYBRID_TIMESTAMP, new byte[3]), 42, 0, 0, "t"))
                .as("a malformed stamp")
                .isEqualTo(new HybridTimestamp(42, 0).pack());
        assertThat(TotalOrderMerge.stamp(headers(new HybridTimestamp(7, 3)), 42, 0, 0, "t"))
                .isEqualTo(new HybridTimestamp(7, 3).pack());
    }

    @Test
    void aPartitionOutsideTheMergeIsRefusedNamingIt() {
        TotalOrderMerge<String> merge = new TotalOrderMerge<>("t", 2, 1_000);
        assertThatThrownBy(() -> merge.start(2, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("partition must be in [0, 2), was 2");
    }

    /** Each partition's log: its records' stamps, a heartbeat wherever {@code heartbeats} says, and a last one far ahead. */
    private static List<List<Entry>> logs(List<List<Integer>> stamps, List<Boolean> heartbeats) {
        List<List<Entry>> logs = new ArrayList<>();
        int h = 0;
        for (int p = 0; p < stamps.size(); p++) {
            List<Entry> log = new ArrayList<>();
            for (int stamp : stamps.get(p)) {
                boolean heartbeat = h < heartbeats.size() && heartbeats.get(h++);
                log.add(new Entry(p, log.size(), stamp(stamp), heartbeat));
            }
            log.add(new Entry(p, log.size(), stamp(1_000), true));
            logs.add(log);
        }
        return logs;
    }

    /**
     * Offers the partitions' entries from {@code next}, the partition of each step chosen by {@code arrivals}
     * (then the rest, partition by partition), and collects what is released.
     */
    private static void deliver(
            TotalOrderMerge<String> merge,
            List<List<Entry>> logs,
            int[] next,
            List<Integer> arrivals,
            List<String> out) {
        for (int choice : arrivals) {
            offer(merge, logs.get(choice % logs.size()), next, out);
        }
        for (List<Entry> log : logs) {
            while (next[log.get(0).partition()] < log.size()) {
                offer(merge, log, next, out);
            }
        }
    }

    private static void offer(TotalOrderMerge<String> merge, List<Entry> log, int[] next, List<String> out) {
        int p = log.get(0).partition();
        if (next[p] >= log.size()) {
            return;
        }
        Entry e = log.get(next[p]++);
        if (e.heartbeat()) {
            merge.pass(p, e.offset(), e.stamp());
        } else {
            merge.hold(p, e.offset(), e.stamp(), e.name());
        }
        out.addAll(merge.release());
    }

    /** The first offset of the partition not done: not arrived, or a record not released. */
    private static long handledTo(List<Entry> log, int arrived, List<String> handled) {
        for (int o = 0; o < arrived; o++) {
            Entry e = log.get(o);
            if (!e.heartbeat() && !handled.contains(e.name())) {
                return o;
            }
        }
        return arrived;
    }

    /** The records from each partition's {@code from} offset on, by raised stamp, partition, offset (raised over the whole log). */
    private static List<String> expectedOrder(List<List<Entry>> logs, long[] from) {
        record Placed(long stamp, int partition, long offset) {}
        List<Placed> all = new ArrayList<>();
        Map<Integer, Long> frontier = new HashMap<>();
        for (List<Entry> log : logs) {
            for (Entry e : log) {
                long raised = Math.max(frontier.getOrDefault(e.partition(), 0L), e.stamp());
                frontier.put(e.partition(), raised);
                if (!e.heartbeat() && e.offset() >= from[e.partition()]) {
                    all.add(new Placed(raised, e.partition(), e.offset()));
                }
            }
        }
        all.sort(Comparator.comparingLong(Placed::stamp)
                .thenComparingInt(Placed::partition)
                .thenComparingLong(Placed::offset));
        return all.stream().map(p -> p.partition() + "@" + p.offset()).toList();
    }

    private static long stamp(long physical) {
        return new HybridTimestamp(physical, 0).pack();
    }

    private static Headers headers(HybridTimestamp stamp) {
        return Headers.empty()
                .with(
                        OrdoHeaders.HYBRID_TIMESTAMP,
                        ByteBuffer.allocate(8).putLong(stamp.pack()).array());
    }
}
