package dev.ordo.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.constraints.UniqueElements;

class ConsistentHashRingProperties {

    private static final int KEYS = 20_000;

    @Property(tries = 40)
    void addingANodeMovesAboutOneInNPlusOneKeysAndOnlyToTheNewNode(
            @ForAll @Size(min = 3, max = 21) @UniqueElements List<@StringLength(min = 1, max = 12) String> names,
            @ForAll @IntRange(min = 0, max = 1_000_000) int keySalt) {
        List<String> existing = names.subList(0, names.size() - 1);
        String added = names.get(names.size() - 1);
        ConsistentHashRing<String> ring = ring(existing);
        Map<String, String> before = owners(ring, keySalt);

        ring.add(added);
        Map<String, String> after = owners(ring, keySalt);

        long moved = before.keySet().stream()
                .filter(k -> !before.get(k).equals(after.get(k)))
                .count();
        assertThat(before.keySet().stream().filter(k -> !before.get(k).equals(after.get(k))))
                .as("keys move only to the new node")
                .allMatch(k -> after.get(k).equals(added));
        // The new node's share of the ring varies like any node's (about 6% of the mean with 256 virtual
        // nodes, 2% more from sampling 20,000 keys): 25% was a 4-sigma bound, which random names reached
        // (2,540 keys moved for 2,000 expected). 35% is the bound the load property below uses.
        double expected = (double) KEYS / names.size();
        assertThat((double) moved)
                .as("moved keys with %d -> %d nodes", existing.size(), names.size())
                .isBetween(expected * 0.65, expected * 1.35);
    }

    @Property(tries = 40)
    void removingANodeMovesOnlyItsOwnKeys(
            @ForAll @Size(min = 2, max = 20) @UniqueElements List<@StringLength(min = 1, max = 12) String> names,
            @ForAll @IntRange(min = 0, max = 1_000_000) int keySalt) {
        ConsistentHashRing<String> ring = ring(names);
        Map<String, String> before = owners(ring, keySalt);
        String removed = names.get(keySalt % names.size());

        ring.remove(removed);
        Map<String, String> after = owners(ring, keySalt);

        for (String key : before.keySet()) {
            if (before.get(key).equals(removed)) {
                assertThat(after.get(key)).isNotEqualTo(removed);
            } else {
                assertThat(after.get(key))
                        .as("key %s did not belong to the removed node", key)
                        .isEqualTo(before.get(key));
            }
        }
    }

    @Example
    void tenNodesWith256VirtualNodesStayWithin25PercentOfTheMeanLoad() {
        List<String> names = List.of(
                "node-0", "node-1", "node-2", "node-3", "node-4", "node-5", "node-6", "node-7", "node-8", "node-9");
        assertThat(maxOverMeanLoad(names, 256, 200_000)).isLessThanOrEqualTo(1.25);
    }

    /**
     * With 256 virtual nodes a node's share has a standard deviation of about 1/sqrt(256) = 6% of the
     * mean, so the busiest of ten is typically ~10% above it and 25% is a 4-sigma event, which random
     * names did reach (1.2577, in one of this project's builds). 35% (5.6 sigma) is what a randomised
     * check can promise without flaking; the fixed names above keep the 25% figure.
     */
    @Property(tries = 30)
    void anyTenNodesWith256VirtualNodesStayWithin35PercentOfTheMeanLoad(
            @ForAll @Size(10) @UniqueElements List<@StringLength(min = 1, max = 16) String> names) {
        assertThat(maxOverMeanLoad(names, 256, 100_000)).isLessThanOrEqualTo(1.35);
    }

    @Example
    void placementDependsOnlyOnNodeNamesNotOnInsertionOrder() {
        ConsistentHashRing<String> a = ring(List.of("a", "b", "c"));
        ConsistentHashRing<String> b = ring(List.of("c", "a", "b"));
        for (int i = 0; i < 5_000; i++) {
            assertThat(a.nodeFor("key-" + i)).isEqualTo(b.nodeFor("key-" + i));
        }
    }

    @Example
    void badInputIsRefusedWithTheValue() {
        assertThatThrownBy(() -> ConsistentHashRing.builder().virtualNodes(0))
                .hasMessage("virtualNodes must be in [1, 65536], was 0");
        ConsistentHashRing<String> empty = ConsistentHashRing.<String>builder().build();
        assertThatThrownBy(() -> empty.nodeFor("k"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no nodes");
        assertThatThrownBy(() -> empty.add(null)).hasMessageContaining("node must not be null");
        assertThat(empty.size()).isZero();
    }

    private static double maxOverMeanLoad(List<String> names, int virtualNodes, int keys) {
        ConsistentHashRing<String> ring =
                ConsistentHashRing.<String>builder().virtualNodes(virtualNodes).build();
        names.forEach(ring::add);
        Map<String, Integer> load = new HashMap<>();
        for (int i = 0; i < keys; i++) {
            load.merge(ring.nodeFor("key-" + i), 1, Integer::sum);
        }
        double mean = (double) keys / names.size();
        return load.values().stream().mapToInt(Integer::intValue).max().orElseThrow() / mean;
    }

    private static ConsistentHashRing<String> ring(List<String> names) {
        ConsistentHashRing<String> ring =
                ConsistentHashRing.<String>builder().virtualNodes(256).build();
        names.forEach(ring::add);
        assertThat(Set.copyOf(ring.nodes())).containsExactlyInAnyOrderElementsOf(names);
        return ring;
    }

    private static Map<String, String> owners(ConsistentHashRing<String> ring, int salt) {
        Map<String, String> owners = new HashMap<>(KEYS * 2);
        for (int i = 0; i < KEYS; i++) {
            String key = "k" + salt + "-" + i;
            owners.put(key, ring.nodeFor(key));
        }
        return owners;
    }
}
