package dev.ordo.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * The layout history keeps every key's order through any sequence of grow and shrink steps, whatever
 * the order in which a group takes its partitions' records, and never leaves a group with nothing it
 * may handle while records remain.
 */
class TopicLayoutProperties {

    /** A step of the simulated topic's life: append a record of a key, change the count, or handle some. */
    private record Step(int kind, int value) {
        static final int APPEND = 0;
        static final int ALTER = 1;
        static final int HANDLE = 2;
    }

    private record Rec(int key, int seq) {}

    @Property(tries = 300)
    void everyKeyIsHandledInTheOrderItWasWrittenThroughAnyChangesOfTheCount(
            @ForAll("lives") List<Step> life,
            @ForAll @IntRange(min = 1, max = 16) int initialPartitions,
            @ForAll Placement placement,
            @ForAll long schedulingSeed) {
        Simulation sim = new Simulation(initialPartitions, placement, new Random(schedulingSeed), true);
        for (Step step : life) {
            switch (step.kind()) {
                case Step.APPEND -> sim.append(step.value());
                case Step.ALTER -> sim.alter(step.value());
                default -> sim.handle(step.value());
            }
        }
        sim.handle(Integer.MAX_VALUE);

        assertThat(sim.violations)
                .as("records handled before an earlier record of their key")
                .isEmpty();
        assertThat(sim.handledCount).as("every record handled").isEqualTo(sim.written);
    }

    @Example
    void withoutTheDependenciesAKeyThatMovedIsHandledOutOfOrder() {
        Simulation sim = new Simulation(4, Placement.KAFKA, new Random(1), false);
        for (int key = 0; key < 50; key++) {
            sim.append(key);
        }
        sim.alter(7);
        for (int key = 0; key < 50; key++) {
            sim.append(key);
        }
        sim.handleNewestFirst();
        assertThat(sim.violations).isNotEmpty();
    }

    @Property(tries = 200)
    void aGroupFinishesWithALayoutOnceItHandledWhatThePartitionsHeldWhenTheNextBegan(
            @ForAll("counts") List<Integer> counts) {
        TopicLayout layout = TopicLayout.initial(counts.get(0));
        long[] ends = new long[layout.existing()];
        for (int c : counts.subList(1, counts.size())) {
            if (c == layout.partitions()) {
                continue;
            }
            for (int q = 0; q < ends.length; q++) {
                ends[q] += q + 1;
            }
            layout = layout.alter(c, ends);
            ends = Arrays.copyOf(ends, layout.existing());
        }
        TopicLayout finalLayout = layout;
        long[] done = ends.clone();
        assertThat(layout.firstUnfinished(q -> done[q]))
                .isEqualTo(layout.layouts().size() - 1);
        assertThat(layout.firstUnfinished(q -> 0)).as("nothing handled").isZero();
        assertThat(TopicLayout.of(finalLayout.layouts())).isEqualTo(finalLayout);
    }

    @Example
    void aHistoryReadBackThatGoesBackIsRefusedNamingTheLayoutAndPartition() {
        List<TopicLayout.Layout> layouts = List.of(
                new TopicLayout.Layout(2, new long[] {0, 0}),
                new TopicLayout.Layout(3, new long[] {5, 4, 0}),
                new TopicLayout.Layout(2, new long[] {6, 3, 1}));
        assertThatThrownBy(() -> TopicLayout.of(layouts))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("layout 2 starts partition 1 at 3, before layout 1 did (4)");
    }

    @Example
    void alteringToTheSameCountOrOutOfRangeIsRefusedAndTheHistoryStays() {
        TopicLayout layout = TopicLayout.initial(4);
        assertThatThrownBy(() -> layout.alter(4, new long[4])).hasMessage("the topic already has 4 partitions");
        assertThatThrownBy(() -> layout.alter(0, new long[4])).hasMessage("partitions must be in [1, 10000], was 0");
        assertThatThrownBy(() -> layout.alter(5, new long[3]))
                .hasMessage("ends must give one offset per existing partition (4), gave 3");
        assertThat(layout.layouts()).hasSize(1);
    }

    @Example
    void shrinkingRetiresTheHighestPartitionsAndGrowingAgainContinuesTheirOffsets() {
        TopicLayout layout = TopicLayout.initial(4).alter(2, new long[] {10, 11, 12, 13});
        assertThat(layout.partitions()).isEqualTo(2);
        assertThat(layout.existing()).isEqualTo(4);
        assertThat(layout.retired(3)).isTrue();
        assertThat(layout.retired(1)).isFalse();

        TopicLayout grown = layout.alter(6, new long[] {20, 21, 12, 13});
        assertThat(grown.existing()).isEqualTo(6);
        assertThat(grown.layoutOf(3, 12)).as("before it was revived").isZero();
        assertThat(grown.layoutOf(3, 13)).isEqualTo(2);
        assertThat(grown.layoutOf(5, 0)).isEqualTo(2);
        assertThat(grown.layoutOf(0, 15)).isEqualTo(1);
    }

    @Provide
    Arbitrary<List<Step>> lives() {
        Arbitrary<Step> append = Arbitraries.integers().between(0, 39).map(k -> new Step(Step.APPEND, k));
        Arbitrary<Step> alter = Arbitraries.integers().between(1, 16).map(n -> new Step(Step.ALTER, n));
        Arbitrary<Step> handle = Arbitraries.integers().between(1, 30).map(n -> new Step(Step.HANDLE, n));
        return Arbitraries.frequencyOf(Tuple.of(20, append), Tuple.of(1, alter), Tuple.of(3, handle))
                .list()
                .ofMaxSize(400);
    }

    @Provide
    Arbitrary<List<Integer>> counts() {
        return Arbitraries.integers().between(1, 20).list().ofMinSize(1).ofMaxSize(12);
    }

    /** A topic whose partitions are lists, written by one producer and handled by a group in any order. */
    private static final class Simulation {
        final Partitioner partitioner;
        final Random random;
        final boolean fenced;
        final List<List<Rec>> partitions = new ArrayList<>();
        final Map<Integer, Integer> nextSeq = new HashMap<>();
        final Map<Integer, Integer> lastHandled = new HashMap<>();
        final List<String> violations = new ArrayList<>();
        long[] handled;
        TopicLayout layout;
        int written;
        int handledCount;

        Simulation(int partitionCount, Placement placement, Random random, boolean fenced) {
            this.partitioner = placement.partitioner();
            this.random = random;
            this.fenced = fenced;
            this.layout = TopicLayout.initial(partitionCount);
            for (int q = 0; q < partitionCount; q++) {
                partitions.add(new ArrayList<>());
            }
            this.handled = new long[partitionCount];
        }

        void append(int key) {
            int p = partitioner.partition(bytes(key), layout.partitions());
            partitions.get(p).add(new Rec(key, nextSeq.merge(key, 1, Integer::sum)));
            written++;
        }

        void alter(int count) {
            if (count == layout.partitions()) {
                return;
            }
            long[] ends = new long[layout.existing()];
            for (int q = 0; q < ends.length; q++) {
                ends[q] = partitions.get(q).size();
            }
            layout = layout.alter(count, ends);
            while (partitions.size() < layout.existing()) {
                partitions.add(new ArrayList<>());
            }
            handled = Arrays.copyOf(handled, layout.existing());
        }

        /** Handles up to {@code count} records, each time from a partition chosen at random among those that may go. */
        void handle(int count) {
            for (int i = 0; i < count; i++) {
                List<Integer> ready = ready();
                if (ready.isEmpty()) {
                    boolean anyLeft = false;
                    for (int q = 0; q < partitions.size(); q++) {
                        anyLeft |= handled[q] < partitions.get(q).size();
                    }
                    assertThat(anyLeft)
                            .as("records remain but none may be handled: a deadlock")
                            .isFalse();
                    return;
                }
                take(ready.get(random.nextInt(ready.size())));
            }
        }

        /** Handles everything, always from the highest numbered partition that has records. */
        void handleNewestFirst() {
            for (int q = partitions.size() - 1; q >= 0; q--) {
                while (handled[q] < partitions.get(q).size()) {
                    take(q);
                }
            }
        }

        private List<Integer> ready() {
            List<Integer> ready = new ArrayList<>();
            int from = layout.firstUnfinished(q -> handled[q]);
            for (int q = 0; q < partitions.size(); q++) {
                if (handled[q] >= partitions.get(q).size()) {
                    continue;
                }
                Rec head = partitions.get(q).get((int) handled[q]);
                boolean mayGo = !fenced
                        || layout.dependencies(bytes(head.key()), q, handled[q], partitioner, from).stream()
                                .allMatch(a -> handled[a.partition()] >= a.offset());
                if (mayGo) {
                    ready.add(q);
                }
            }
            return ready;
        }

        private void take(int q) {
            Rec r = partitions.get(q).get((int) handled[q]++);
            handledCount++;
            int last = lastHandled.getOrDefault(r.key(), 0);
            if (r.seq() != last + 1) {
                violations.add("key " + r.key() + ": seq " + r.seq() + " after " + last);
            }
            lastHandled.put(r.key(), Math.max(last, r.seq()));
        }

        private static byte[] bytes(int key) {
            return ("key-" + key).getBytes(StandardCharsets.UTF_8);
        }
    }
}
