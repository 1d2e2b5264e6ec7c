package dev.ordo.causal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ClocksTest {

    @Test
    void lamportClockRespectsHappenedBefore() {
        LamportClock a = new LamportClock();
        LamportClock b = new LamportClock();
        long send = a.tick();
        long receive = b.update(send);
        assertThat(receive).isGreaterThan(send);
        assertThat(b.tick()).isGreaterThan(receive);
        assertThat(a.update(1)).as("an old timestamp still advances").isEqualTo(2);
        assertThatThrownBy(() -> a.update(-1)).hasMessage("received time must be >= 0, was -1");
    }

    @Test
    void hybridClockFollowsPhysicalTimeAndOrdersWithinAMillisecond() {
        AtomicLong wall = new AtomicLong(1_000);
        HybridLogicalClock clock = new HybridLogicalClock(wall::get, Duration.ofMillis(100));
        HybridTimestamp t1 = clock.now();
        HybridTimestamp t2 = clock.now();
        assertThat(t1).isEqualTo(new HybridTimestamp(1_000, 0));
        assertThat(t2).isEqualTo(new HybridTimestamp(1_000, 1));
        wall.set(1_005);
        assertThat(clock.now()).isEqualTo(new HybridTimestamp(1_005, 0));
        wall.set(900);
        assertThat(clock.now()).as("never goes back when the wall clock does").isEqualTo(new HybridTimestamp(1_005, 1));
    }

    @Test
    void hybridClockReceiveIsAfterTheRemoteAndEveryLocalEvent() {
        AtomicLong wall = new AtomicLong(1_000);
        HybridLogicalClock clock = new HybridLogicalClock(wall::get, Duration.ofMillis(100));
        clock.now();
        HybridTimestamp remote = new HybridTimestamp(1_050, 7);
        HybridTimestamp received = clock.update(remote);
        assertThat(received).isEqualTo(new HybridTimestamp(1_050, 8));
        assertThat(clock.now()).isGreaterThan(received);
        assertThat(clock.update(new HybridTimestamp(10, 0)))
                .as("an old remote only ticks the counter")
                .isEqualTo(new HybridTimestamp(1_050, 10));
    }

    @Test
    void hybridClockRefusesARemoteTooFarInTheFutureAndStaysUnchanged() {
        AtomicLong wall = new AtomicLong(1_000);
        HybridLogicalClock clock = new HybridLogicalClock(wall::get, Duration.ofMillis(100));
        HybridTimestamp before = clock.now();
        assertThatThrownBy(() -> clock.update(new HybridTimestamp(1_101, 0)))
                .isInstanceOf(ClockDriftException.class)
                .hasMessageContaining("101 ms ahead")
                .hasMessageContaining("maxDrift is 100 ms");
        assertThat(clock.now()).isEqualTo(new HybridTimestamp(before.physical(), before.logical() + 1));
    }

    @Test
    void hybridTimestampPacksPreservingOrder() {
        HybridTimestamp a = new HybridTimestamp(1_700_000_000_000L, 65_535);
        HybridTimestamp b = new HybridTimestamp(1_700_000_000_001L, 0);
        assertThat(HybridTimestamp.unpack(a.pack())).isEqualTo(a);
        assertThat(a.pack()).isLessThan(b.pack());
        assertThatThrownBy(() -> new HybridTimestamp(-1, 0)).hasMessage("physical must be in [0, 2^48), was -1");
        assertThatThrownBy(() -> new HybridTimestamp(0, 65_536)).hasMessage("logical must be in [0, 65535], was 65536");
    }

    @Test
    void vectorClocksCompareAcrossDifferentNodeSets() {
        VectorClock a = VectorClock.of(Map.of("x", 1L));
        VectorClock b = a.increment("y");
        VectorClock c = a.increment("z");
        assertThat(a.compareTo(b)).isEqualTo(Causality.BEFORE);
        assertThat(b.compareTo(a)).isEqualTo(Causality.AFTER);
        assertThat(b.compareTo(c)).isEqualTo(Causality.CONCURRENT);
        assertThat(b.merge(c).compareTo(b)).isEqualTo(Causality.AFTER);
        assertThat(VectorClock.of(Map.of("x", 1L, "gone", 0L)).compareTo(a))
                .as("zero entries do not count")
                .isEqualTo(Causality.EQUAL);
        assertThat(VectorClock.empty().happenedBefore(a)).isTrue();
    }

    @Test
    void vectorClocksEncodeCompactlyAndRoundTrip() {
        VectorClock clock = VectorClock.of(Map.of("a", 3L, "b", 300L, "node-é", 1L << 40));
        byte[] bytes = clock.encode();
        assertThat(VectorClock.decode(bytes)).isEqualTo(clock);
        assertThat(VectorClock.of(Map.of("a", 1L, "b", 2L, "c", 3L)).encode()).hasSizeLessThanOrEqualTo(10);
        assertThat(VectorClock.decode(VectorClock.empty().encode())).isEqualTo(VectorClock.empty());
    }

    @Test
    void corruptVectorClockEncodingsAreRefusedClearly() {
        byte[] good = VectorClock.of(Map.of("a", 3L)).encode();
        assertThatThrownBy(() -> VectorClock.decode(Arrays.copyOf(good, good.length - 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("truncated");
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> VectorClock.decode(trailing)).hasMessageContaining("trailing");
        assertThatThrownBy(() -> VectorClock.decode(new byte[] {5, 100})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VectorClock.of(Map.of("a", -1L))).hasMessage("counter of node a must be >= 0, was -1");
    }
}
