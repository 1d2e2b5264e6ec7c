package dev.ordo.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The Space-Saving sketch's promises, for any stream of keys. */
class HotKeysProperties {

    @Property(tries = 300)
    void everyKeySeenMoreThanTotalOverCapacityTimesIsTrackedAndItsCountIsBoundedByTheTruth(
            @ForAll @Size(max = 3_000) List<@IntRange(min = 0, max = 60) Integer> rawKeys,
            @ForAll @IntRange(min = 1, max = 20) int capacity) {
        // Square the draw toward small keys, so that some keys are heavy.
        List<Integer> keys = rawKeys.stream().map(k -> k * k / 60).toList();
        HotKeys<Integer> sketch = new HotKeys<>(capacity);
        Map<Integer, Long> truth = new HashMap<>();
        for (int k : keys) {
            sketch.add(k, 1);
            truth.merge(k, 1L, Long::sum);
        }
        List<HotKeys.Hot<Integer>> top = sketch.top(capacity);
        Set<Integer> tracked = top.stream().map(HotKeys.Hot::key).collect(Collectors.toSet());
        truth.forEach((key, count) -> {
            if (count > keys.size() / capacity) {
                assertThat(tracked)
                        .as("key %s seen %s times of %s", key, count, keys.size())
                        .contains(key);
            }
        });
        for (HotKeys.Hot<Integer> hot : top) {
            long real = truth.get(hot.key());
            assertThat(hot.count()).isGreaterThanOrEqualTo(real);
            assertThat(hot.guaranteed()).isLessThanOrEqualTo(real);
        }
        assertThat(sketch.total()).isEqualTo(keys.size());
        assertThat(top).hasSizeLessThanOrEqualTo(capacity);
    }

    @Example
    void theHeaviestComeFirstAndWeightsAreRecordsBytesOrTime() {
        HotKeys<String> hot = new HotKeys<>(4);
        hot.add("ACC-1", 5_000);
        hot.add("ACC-2", 200);
        hot.add("ACC-1", 1_000);
        assertThat(hot.top(1)).containsExactly(new HotKeys.Hot<>("ACC-1", 6_000, 0));
        hot.clear();
        assertThat(hot.top(3)).isEmpty();
        assertThatThrownBy(() -> new HotKeys<>(0)).hasMessage("capacity must be >= 1, was 0");
        assertThatThrownBy(() -> hot.add("x", -1)).hasMessage("weight must be >= 0, was -1");
    }
}
