package dev.ordo.causal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class VersionedValueTest {

    private static final HybridTimestamp T1 = new HybridTimestamp(1_000, 0);
    private static final HybridTimestamp T2 = new HybridTimestamp(2_000, 0);

    private final VersionedValue<String> empty = VersionedValue.empty(ConflictResolver.lastWriterWins());

    @Test
    void aCausallyLaterUpdateReplacesWhatItsWriterSawEvenWithAnEarlierTimestamp() {
        Versioned<String> first = empty.write("eu", "Main St 1", T2);
        VersionedValue<String> seen = empty.apply(first);
        Versioned<String> correction = seen.write("us", "Main St 2", T1); // us's clock lags behind
        assertThat(seen.apply(correction).value()).contains("Main St 2");
        assertThat(empty.apply(correction).apply(first).value())
                .as("the earlier update arriving late changes nothing")
                .contains("Main St 2");
        assertThat(empty.apply(correction).apply(first).conflicted()).isFalse();
    }

    @Test
    void concurrentUpdatesAreHeldTogetherAndResolvedByTheStrategy() {
        Versioned<String> eu = empty.write("eu", "eu address", T1);
        Versioned<String> us = empty.write("us", "us address", T2);
        VersionedValue<String> both = empty.apply(us).apply(eu);
        assertThat(both.conflicted()).isTrue();
        assertThat(both.versions()).containsExactly(eu, us);
        assertThat(both.value()).contains("us address");
        assertThat(both.clock()).isEqualTo(VectorClock.of(Map.of("eu", 1L, "us", 1L)));

        VersionedValue<String> merged = VersionedValue.<String>empty(ConflictResolver.merging((a, b) -> a + " | " + b))
                .apply(us)
                .apply(eu);
        assertThat(merged.value()).contains("eu address | us address");
    }

    @Test
    void aWriteAfterAConflictSupersedesEveryConcurrentVersion() {
        VersionedValue<String> both = empty.apply(empty.write("eu", "a", T1)).apply(empty.write("us", "b", T1));
        Versioned<String> resolved = both.write("eu", "a and b", T2);
        assertThat(both.apply(resolved).versions()).containsExactly(resolved);
    }

    @Test
    void twoValuesWithOneClockAreRefusedNamingBoth() {
        Versioned<String> one = empty.write("eu", "x", T1);
        Versioned<String> other = new Versioned<>("y", one.clock(), T1, "eu");
        assertThatThrownBy(() -> empty.apply(one).apply(other))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has value y, but the version held with that clock has x");
    }
}
