package dev.ordo.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** What an operator reads of a partition held by a fence ({@code explain}, the server's views). */
class PartitionFenceTest {

    @Test
    void aFencedPartitionSaysWhichPartitionItWaitsForUpToWhereAndHowFarThatIsHandled() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(PartitionFence.HEADER, PartitionFence.encode(0, 100));
        Map<Integer, String> holds =
                PartitionFence.describe("ledger", Map.of(3, System.nanoTime()), p -> headers, p -> p == 0 ? 42 : -1);
        assertThat(holds).containsOnlyKeys(3);
        assertThat(holds.get(3))
                .startsWith("its next record waits for ledger-0 to be handled up to offset 100 (handled up to 42)");
    }

    @Test
    void nothingFencedDescribesNothing() {
        assertThat(PartitionFence.describe("ledger", Map.of(), p -> null, p -> 0))
                .isEmpty();
    }
}
