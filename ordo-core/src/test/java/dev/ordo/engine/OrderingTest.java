package dev.ordo.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OrderingTest {

    private static final byte[] K1 = "k1".getBytes(StandardCharsets.UTF_8);
    private static final byte[] K2 = "k2".getBytes(StandardCharsets.UTF_8);

    @Test
    void executionKeysSerializeWhatEachModePromisesAndNothingMore() {
        assertThat(Ordering.PARTITION.executionKey(3, K1, 10)).isEqualTo(Ordering.PARTITION.executionKey(3, K2, 11));
        assertThat(Ordering.PARTITION.executionKey(3, K1, 10)).isNotEqualTo(Ordering.PARTITION.executionKey(4, K1, 10));
        assertThat(Ordering.KEY.executionKey(3, K1, 10)).isEqualTo(Ordering.KEY.executionKey(3, K1.clone(), 11));
        assertThat(Ordering.KEY.executionKey(3, K1, 10)).isNotEqualTo(Ordering.KEY.executionKey(3, K2, 10));
        assertThat(Ordering.KEY.executionKey(3, null, 10))
                .as("no key: per partition")
                .isEqualTo(Ordering.KEY.executionKey(3, null, 12));
        assertThat(Ordering.UNORDERED.executionKey(3, K1, 10)).isNotEqualTo(Ordering.UNORDERED.executionKey(3, K1, 11));
    }
}
