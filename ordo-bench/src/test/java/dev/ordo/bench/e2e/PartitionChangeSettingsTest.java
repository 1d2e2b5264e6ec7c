package dev.ordo.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ordo.partition.Placement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's timeline: changes on a fixed grid, and a baseline that leaves out every second a change touches. */
class PartitionChangeSettingsTest {

    @Test
    void changesBeginAfterTheWarmUpAndTheBaselineOneGapApart() {
        PartitionChangeSettings settings = settings(2, 3, new int[] {4, 8, 16, 6, 3});

        assertThat(settings.changeSecond(1)).isEqualTo(5);
        assertThat(settings.changeSecond(4)).isEqualTo(14);
        assertThat(settings.sendingSeconds(4)).isEqualTo(17);
    }

    @Test
    void steadySecondsLeaveOutTheWarmUpEveryChangeSecondAndTheSecondAfterIt() {
        PartitionChangeSettings settings = settings(2, 3, new int[] {4, 8, 16, 6, 3});

        assertThat(settings.steadySeconds(4)).containsExactly(2, 3, 4, 7, 10, 13, 16);
    }

    @Test
    void aGapTooShortForASteadySecondIsRefusedNamingTheProperty() {
        assertThatThrownBy(() -> settings(2, 2, new int[] {4, 8}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pc.gapSeconds must be >= 3, was 2");
    }

    @Test
    void aSequenceThatDoesNotChangeTheCountIsRefused() {
        assertThatThrownBy(() -> settings(2, 3, new int[] {4, 4, 8}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pc.sequences must change the count at every step, was [4, 4, 8]");
        assertThatThrownBy(() -> settings(2, 3, new int[] {4, 0}))
                .hasMessage("pc.sequences counts must be in [1, 10000], was 0");
    }

    private static PartitionChangeSettings settings(int warmup, int gap, int[] counts) {
        return new PartitionChangeSettings(
                List.of(Placement.KAFKA),
                List.<int[]>of(counts),
                "interval:100ms",
                100,
                1_000,
                100,
                3,
                4,
                warmup,
                3,
                gap,
                100_000,
                0.5,
                false);
    }
}
