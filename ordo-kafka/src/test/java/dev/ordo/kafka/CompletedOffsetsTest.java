package dev.ordo.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CompletedOffsetsTest {

    @Test
    void roundTripsAndStaysWithinTheLimitByDroppingTheHighest() {
        long[] completed = {1_002, 1_003, 1_500, 90_000};
        String metadata = CompletedOffsets.encode(1_000, completed, 4_000);
        assertThat(metadata).startsWith("ordo1:");
        assertThat(CompletedOffsets.decode(1_000, metadata)).containsExactly(1_002L, 1_003L, 1_500L, 90_000L);
        String short_ = CompletedOffsets.encode(1_000, completed, 10);
        assertThat(short_.length()).isLessThanOrEqualTo(10);
        assertThat(CompletedOffsets.decode(1_000, short_)).containsExactly(1_002L, 1_003L);
        assertThat(CompletedOffsets.encode(1_000, new long[0], 4_000)).isEmpty();
    }

    @Test
    void foreignOrDamagedMetadataSkipsNothing() {
        assertThat(CompletedOffsets.decode(5, "written by another tool")).isEmpty();
        assertThat(CompletedOffsets.decode(5, "ordo1:2,zz$")).isEmpty();
        assertThat(CompletedOffsets.decode(5, null)).isEmpty();
    }
}
