package dev.ordo.causal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class VectorClockProperties {

    /**
     * Merge is the pointwise maximum whether the clocks name the same nodes (shared or equal
     * arrays), one names a subset of the other's, or they overlap in part.
     */
    @Property(tries = 300)
    void mergeIsThePointwiseMaximumAndNamesTheUnionOfNodes(
            @ForAll @IntRange(min = 1, max = 12) int nodes, @ForAll long seed) {
        Random random = new Random(seed);
        VectorClock a = randomClock(nodes, random);
        VectorClock b = random.nextBoolean() ? randomClock(nodes, random) : a.increment("n" + random.nextInt(nodes));
        VectorClock merged = a.merge(b);

        Map<String, Long> expected = new HashMap<>(a.counters());
        b.counters().forEach((node, value) -> expected.merge(node, value, Math::max));
        assertThat(merged.counters()).isEqualTo(expected);
        assertThat(merged.sameNodes(a))
                .isEqualTo(expected.keySet().equals(a.counters().keySet()));
        assertThat(merged.sameNodes(b))
                .isEqualTo(expected.keySet().equals(b.counters().keySet()));
        assertThat(merged.sameNodes(VectorClock.decode(merged.encode()))).isTrue();
    }

    private static VectorClock randomClock(int nodes, Random random) {
        Map<String, Long> counters = new HashMap<>();
        for (int n = 0; n < nodes; n++) {
            if (random.nextInt(3) > 0) {
                counters.put("n" + n, 1L + random.nextInt(5));
            }
        }
        return VectorClock.of(counters);
    }
}
