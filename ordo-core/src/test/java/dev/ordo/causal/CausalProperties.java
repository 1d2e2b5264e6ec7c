package dev.ordo.causal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.check.CausalDelivery;
import dev.ordo.check.OrderingChecker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class CausalProperties {

    private record Sent(String id, String sender, VectorClock clock) {}

    /**
     * Nodes send and learn from each other at random (a causally consistent execution); an observer
     * receives every message in a random order with duplicates. It must deliver each message once,
     * never before anything that happened before it.
     */
    @Property(tries = 200)
    void anyInterleavingIsDeliveredConsistentlyWithHappenedBefore(
            @ForAll @IntRange(min = 2, max = 5) int nodes,
            @ForAll @IntRange(min = 1, max = 150) int messages,
            @ForAll long seed) {
        Random random = new Random(seed);
        List<Sent> sent = causalExecution(nodes, messages, random);
        List<Sent> arrivals = new ArrayList<>(sent);
        for (int i = 0; i < messages / 5; i++) {
            arrivals.add(sent.get(random.nextInt(sent.size())));
        }
        Collections.shuffle(arrivals, random);

        List<Sent> delivered = new ArrayList<>();
        CausalDeliveryBuffer<Sent> buffer = CausalDeliveryBuffer.<Sent>builder()
                .maxBuffered(messages)
                .build((sender, clock, m) -> delivered.add(m));
        arrivals.forEach(m -> buffer.offer(m.sender(), m.clock(), m));

        assertThat(delivered).containsExactlyInAnyOrderElementsOf(sent);
        for (int i = 0; i < delivered.size(); i++) {
            for (int j = i + 1; j < delivered.size(); j++) {
                assertThat(delivered
                                .get(j)
                                .clock()
                                .happenedBefore(delivered.get(i).clock()))
                        .as("%s delivered before its predecessor %s", delivered.get(i), delivered.get(j))
                        .isFalse();
            }
        }
        assertThat(OrderingChecker.checkCausal(delivered.stream()
                                .map(m -> new CausalDelivery("observer", m.id(), m.sender(), m.clock()))
                                .toList())
                        .isClean())
                .isTrue();
    }

    /** Two mergers fed the same per-input streams in different interleavings release the identical sequence. */
    @Property(tries = 200)
    void totalOrderIsTheSameForAnyArrivalInterleaving(
            @ForAll @IntRange(min = 1, max = 5) int inputs,
            @ForAll @IntRange(min = 0, max = 200) int events,
            @ForAll long seed) {
        Random random = new Random(seed);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < inputs; i++) {
            names.add("node-" + i);
        }
        List<List<HybridTimestamp>> streams = new ArrayList<>();
        for (int i = 0; i < inputs; i++) {
            streams.add(new ArrayList<>());
        }
        long[] last = new long[inputs];
        for (int e = 0; e < events; e++) {
            int input = random.nextInt(inputs);
            last[input] += random.nextInt(3);
            streams.get(input).add(new HybridTimestamp(last[input], random.nextInt(2)));
            streams.get(input).sort(null);
        }
        List<String> first = merge(names, streams, new Random(seed + 1));
        List<String> second = merge(names, streams, new Random(seed + 2));
        assertThat(first).hasSize(events).isEqualTo(second);
        assertThat(OrderingChecker.compareTotalOrder(first, second).isClean()).isTrue();
    }

    private static List<String> merge(List<String> names, List<List<HybridTimestamp>> streams, Random interleaving) {
        List<String> out = new ArrayList<>();
        TotalOrderMerger<String> merger =
                TotalOrderMerger.<String>builder().inputs(names).build((input, ts, e) -> out.add(e));
        int[] next = new int[names.size()];
        List<Integer> open = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            open.add(i);
        }
        while (!open.isEmpty()) {
            int pick = open.get(interleaving.nextInt(open.size()));
            List<HybridTimestamp> stream = streams.get(pick);
            if (next[pick] == stream.size()) {
                merger.heartbeat(names.get(pick), new HybridTimestamp(HybridTimestamp.MAX_PHYSICAL, 0));
                open.remove(Integer.valueOf(pick));
                continue;
            }
            HybridTimestamp ts = stream.get(next[pick]);
            merger.offer(names.get(pick), ts, names.get(pick) + "#" + next[pick]);
            next[pick]++;
        }
        return out;
    }

    /** Random sends and causally closed learning between nodes; returns every message in send order. */
    private static List<Sent> causalExecution(int nodes, int messages, Random random) {
        List<Sent> sent = new ArrayList<>();
        VectorClock[] knowledge = new VectorClock[nodes];
        Arrays.fill(knowledge, VectorClock.empty());
        while (sent.size() < messages) {
            int node = random.nextInt(nodes);
            if (!sent.isEmpty() && random.nextBoolean()) {
                knowledge[node] = knowledge[node].merge(
                        sent.get(random.nextInt(sent.size())).clock());
            } else {
                String name = "n" + node;
                knowledge[node] = knowledge[node].increment(name);
                sent.add(new Sent(name + "-" + knowledge[node].get(name), name, knowledge[node]));
            }
        }
        return sent;
    }
}
