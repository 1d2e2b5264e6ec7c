package dev.ordo.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How many keys each placement moves when the partition count changes, and how evenly it spreads them. */
class PlacementTest {

    private static final int KEYS = 100_000;

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"4, 5", "4, 8", "8, 16", "16, 6", "6, 3", "1, 2"})
    void jumpHashingMovesOnlyTheKeysTheAddedOrRemovedPartitionsTakeOrGive(int from, int to) {
        double moved = movedShare(Placement.JUMP, from, to);
        double ideal = Math.abs(to - from) / (double) Math.max(from, to);
        assertThat(moved).isCloseTo(ideal, within(0.01));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"4, 5", "4, 7", "16, 6", "12, 10"})
    void kafkasModuloMovesMoreKeysThanJumpHashingUnlessOneCountIsAMultipleOfTheOther(int from, int to) {
        assertThat(movedShare(Placement.KAFKA, from, to)).isGreaterThan(movedShare(Placement.JUMP, from, to) + 0.1);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"8, 16", "6, 3"})
    void doublingOrHalvingMovesHalfTheKeysUnderEitherPlacement(int from, int to) {
        assertThat(movedShare(Placement.KAFKA, from, to)).isCloseTo(0.5, within(0.01));
        assertThat(movedShare(Placement.JUMP, from, to)).isCloseTo(0.5, within(0.01));
    }

    @Test
    void jumpHashingShrinkingMovesOnlyKeysOfTheRetiredPartitions() {
        Partitioner jump = Placement.JUMP.partitioner();
        for (int k = 0; k < KEYS; k++) {
            byte[] key = key(k);
            int before = jump.partition(key, 8);
            if (before < 6) {
                assertThat(jump.partition(key, 6)).isEqualTo(before);
            }
        }
    }

    @Test
    void jumpHashingSpreadsKeysEvenly() {
        Partitioner jump = Placement.JUMP.partitioner();
        int[] counts = new int[12];
        for (int k = 0; k < KEYS; k++) {
            counts[jump.partition(key(k), counts.length)]++;
        }
        double mean = KEYS / (double) counts.length;
        for (int c : counts) {
            assertThat(c / mean).isCloseTo(1.0, within(0.05));
        }
    }

    @Test
    void placementsAreNamedAndAWrongNameIsRefusedNamingIt() {
        assertThat(Placement.parse("jump")).isEqualTo(Placement.JUMP);
        assertThat(Placement.parse(Placement.KAFKA.text())).isEqualTo(Placement.KAFKA);
        assertThatThrownBy(() -> Placement.parse("ring"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("placement must be 'kafka' or 'jump', was 'ring'");
    }

    static double movedShare(Placement placement, int from, int to) {
        Partitioner p = placement.partitioner();
        int moved = 0;
        for (int k = 0; k < KEYS; k++) {
            byte[] key = key(k);
            moved += p.partition(key, from) == p.partition(key, to) ? 0 : 1;
        }
        return moved / (double) KEYS;
    }

    private static byte[] key(int k) {
        return ("ACC-" + k).getBytes(StandardCharsets.UTF_8);
    }
}
