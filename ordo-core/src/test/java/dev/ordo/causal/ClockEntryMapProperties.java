package dev.ordo.causal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class ClockEntryMapProperties {

    private record Entry(int node, long counter) {}

    /**
     * Any sequence of puts and removes over few keys (so runs of collided slots form, grow and
     * close) leaves the map holding what a {@link HashMap} holds, and every call answers the same.
     */
    @Property(tries = 300)
    void behavesLikeAHashMapThroughGrowthAndRemoval(
            @ForAll @IntRange(min = 1, max = 2000) int operations,
            @ForAll @IntRange(min = 1, max = 8) int nodes,
            @ForAll @IntRange(min = 1, max = 200) int counters,
            @ForAll long seed) {
        Random random = new Random(seed);
        ClockEntryMap<String> map = new ClockEntryMap<>();
        Map<Entry, String> expected = new HashMap<>();
        for (int i = 0; i < operations; i++) {
            Entry key = new Entry(random.nextInt(nodes), random.nextInt(counters));
            if (random.nextInt(3) == 0) {
                assertThat(map.remove(key.node(), key.counter())).isEqualTo(expected.remove(key));
            } else {
                String value = "v" + i;
                assertThat(map.put(key.node(), key.counter(), value)).isEqualTo(expected.put(key, value));
            }
            assertThat(map.size()).isEqualTo(expected.size());
        }
        expected.forEach(
                (key, value) -> assertThat(map.get(key.node(), key.counter())).isEqualTo(value));
        assertThat(map.get(nodes, 0)).isNull();
        List<String> values = new ArrayList<>();
        map.forEachValue(values::add);
        assertThat(values).containsExactlyInAnyOrderElementsOf(expected.values());
    }
}
