package dev.ordo.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ordo.partition.Placement;
import org.junit.jupiter.api.Test;

/**
 * What the benchmark's first table rests on: doubling the partition count moves half the keys under
 * either placement, and on other steps jump hashing moves about the least share any placement must move
 * where Kafka's modulo moves most keys.
 */
class KeysMovedTest {

    private static final int KEYS = 20_000;

    @Test
    void doublingMovesHalfTheKeysUnderEitherPlacement() {
        assertThat(KeysMoved.least(4, 8)).isEqualTo(0.5);
        assertThat(KeysMoved.share(Placement.KAFKA, 4, 8, KEYS)).isCloseTo(0.5, within(0.02));
        assertThat(KeysMoved.share(Placement.JUMP, 4, 8, KEYS)).isCloseTo(0.5, within(0.02));
    }

    @Test
    void jumpHashingMovesAboutTheLeastShareWhereKafkasModuloMovesMostKeys() {
        assertThat(KeysMoved.least(4, 5)).isEqualTo(0.2);
        assertThat(KeysMoved.share(Placement.JUMP, 4, 5, KEYS)).isCloseTo(0.2, within(0.02));
        assertThat(KeysMoved.share(Placement.KAFKA, 4, 5, KEYS)).isGreaterThan(0.75);
    }

    @Test
    void shrinkingMovesAtLeastTheKeysOfThePartitionsThatGo() {
        assertThat(KeysMoved.least(16, 6)).isEqualTo(10 / 16.0);
        assertThat(KeysMoved.share(Placement.JUMP, 16, 6, KEYS)).isCloseTo(10 / 16.0, within(0.02));
        assertThat(KeysMoved.share(Placement.KAFKA, 16, 6, KEYS)).isGreaterThan(0.8);
    }
}
