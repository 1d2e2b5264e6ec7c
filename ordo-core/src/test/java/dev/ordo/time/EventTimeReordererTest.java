package dev.ordo.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.ordo.ManualTicker;
import dev.ordo.OverloadedException;
import dev.ordo.flow.OverflowPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventTimeReordererTest {

    private final ManualTicker ticker = new ManualTicker();
    private final List<String> out = new ArrayList<>();
    private final List<String> side = new ArrayList<>();

    private EventTimeReorderer.Builder<String, String> builder(WatermarkStrategy strategy) {
        return EventTimeReorderer.<String, String>builder()
                .watermarks(strategy)
                .ticker(ticker)
                .lateSink(e -> side.add(e.payload()));
    }

    private EventTimeReorderer<String, String> build(EventTimeReorderer.Builder<String, String> builder) {
        return builder.build(e -> out.add(e.payload() + (e.correction() ? "!" : "")));
    }

    private static WatermarkStrategy bounded(long millis) {
        return WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofMillis(millis));
    }

    @Test
    void releasesInTimestampOrderOnceTheWatermarkPasses() {
        EventTimeReorderer<String, String> r = build(builder(bounded(10)));
        r.offer("s", 0, 100, "100");
        r.offer("s", 1, 95, "95");
        r.offer("s", 2, 105, "105");
        assertThat(out).isEmpty();
        r.offer("s", 3, 111, "111");
        assertThat(out).as("watermark 111-10-1 = 100").containsExactly("95", "100");
        assertThat(r.currentWatermark()).isEqualTo(100);
        r.flush();
        assertThat(out).containsExactly("95", "100", "105", "111");
    }

    @Test
    void equalTimestampsAreReleasedBySourceThenSequence() {
        EventTimeReorderer<String, String> r = build(builder(bounded(0)));
        r.offer("b", 0, 10, "b0");
        r.offer("a", 1, 10, "a1");
        r.offer("a", 0, 10, "a0");
        r.flush();
        assertThat(out).containsExactly("a0", "a1", "b0");
    }

    @Test
    void theSlowestActiveSourceHoldsTheWatermark() {
        EventTimeReorderer<String, String> r = build(builder(bounded(0)).sources(List.of("fast", "slow")));
        r.offer("fast", 0, 100, "fast100");
        r.offer("fast", 1, 110, "fast110");
        assertThat(out).as("slow has not spoken yet").isEmpty();
        r.offer("slow", 0, 50, "slow50");
        r.offer("slow", 1, 105, "slow105");
        assertThat(out).as("watermark = min(fast 109, slow 104)").containsExactly("slow50", "fast100");
        assertThat(r.currentWatermark()).isEqualTo(104);
    }

    @Test
    void anIdleSourceStopsHoldingTimeBackAndRejoinsWhenItSendsAgain() {
        EventTimeReorderer<String, String> r =
                build(builder(bounded(0).withIdleness(Duration.ofSeconds(5))).sources(List.of("live", "quiet")));
        r.offer("quiet", 0, 10, "quiet10");
        r.offer("live", 0, 20, "live20");
        ticker.advance(Duration.ofSeconds(4));
        r.offer("live", 1, 30, "live30");
        assertThat(out).as("quiet holds the watermark at 9").isEmpty();
        ticker.advance(Duration.ofSeconds(1));
        r.tick();
        assertThat(out).as("quiet idle for 5 s: live alone drives time").containsExactly("quiet10", "live20");
        assertThat(r.currentWatermark()).isEqualTo(29);
        r.offer("quiet", 1, 40, "quiet40");
        r.offer("live", 2, 50, "live50");
        assertThat(out).as("quiet is back and holds time at 39").containsExactly("quiet10", "live20", "live30");
        assertThat(r.currentWatermark()).isEqualTo(39);
    }

    @Test
    void latePolicyDropCountsAndDrops() {
        EventTimeReorderer<String, String> r = build(builder(bounded(0)));
        r.offer("s", 0, 100, "100");
        r.offer("s", 1, 101, "101");
        assertThat(r.offer("s", 2, 99, "99")).isEqualTo(EventTimeReorderer.Offer.LATE);
        assertThat(out).containsExactly("100");
        assertThat(r.stats().late()).isEqualTo(1);
    }

    @Test
    void latePolicySideOutputSendsLateEventsAside() {
        EventTimeReorderer<String, String> r = build(builder(bounded(0).withLatePolicy(LatePolicy.SIDE_OUTPUT)));
        r.offer("s", 0, 100, "100");
        r.offer("s", 1, 101, "101");
        r.offer("s", 2, 99, "99");
        assertThat(out).containsExactly("100");
        assertThat(side).containsExactly("99");
    }

    @Test
    void latePolicyCorrectionReleasesFlaggedAndAllowedLatenessBoundsIt() {
        EventTimeReorderer<String, String> r = build(
                builder(bounded(0).withLatePolicy(LatePolicy.CORRECTION).withAllowedLateness(Duration.ofMillis(10))));
        r.offer("s", 0, 100, "100");
        r.offer("s", 1, 101, "101");
        assertThat(r.offer("s", 2, 95, "95")).isEqualTo(EventTimeReorderer.Offer.LATE);
        assertThat(r.offer("s", 3, 80, "80")).isEqualTo(EventTimeReorderer.Offer.DROPPED);
        assertThat(out).containsExactly("100", "95!");
        assertThat(r.stats().droppedTooLate()).isEqualTo(1);
    }

    @Test
    void overflowRejectLeavesStateIntactAndForceAdvancesTheWatermark() {
        EventTimeReorderer<String, String> reject =
                build(builder(bounded(1_000)).maxBuffered(2).overflowPolicy(OverflowPolicy.REJECT));
        reject.offer("s", 0, 1, "1");
        reject.offer("s", 1, 2, "2");
        assertThatThrownBy(() -> reject.offer("s", 2, 3, "3"))
                .isInstanceOf(OverloadedException.class)
                .hasMessageContaining("holds 2 events");
        assertThat(reject.stats().buffered()).isEqualTo(2);

        EventTimeReorderer<String, String> force =
                build(builder(bounded(1_000)).maxBuffered(2).overflowPolicy(OverflowPolicy.FORCE_GAP));
        force.offer("s", 0, 2, "2");
        force.offer("s", 1, 1, "1");
        force.offer("s", 2, 3, "3");
        assertThat(out).containsExactly("1");
        assertThat(force.currentWatermark()).isEqualTo(1);
        assertThat(force.stats().forcedAdvances()).isEqualTo(1);
    }

    @Test
    void overflowRefuseReturnsAtOnceAndTheEventFitsOnceTheWatermarkMoves() {
        EventTimeReorderer<String, String> r =
                build(builder(bounded(10)).maxBuffered(2).overflowPolicy(OverflowPolicy.REFUSE));
        r.offer("s", 0, 100, "100");
        r.offer("s", 1, 105, "105");
        assertThat(r.offer("s", 2, 120, "120")).isEqualTo(EventTimeReorderer.Offer.REFUSED);
        assertThat(r.stats().refused()).isEqualTo(1);
        assertThat(r.stats().buffered()).isEqualTo(2);
        assertThat(r.currentWatermark()).as("the refused event moved nothing").isEqualTo(94);
        r.flush();
        assertThat(r.offer("s", 2, 120, "120")).isEqualTo(EventTimeReorderer.Offer.ACCEPTED);
        r.flush();
        assertThat(out).containsExactly("100", "105", "120");
    }

    @Test
    void overflowBlockGivesUpAfterMaxBlockSayingWhatIsFull() {
        EventTimeReorderer<String, String> r = build(builder(bounded(1_000))
                .maxBuffered(2)
                .overflowPolicy(OverflowPolicy.BLOCK)
                .maxBlock(Duration.ofMillis(50)));
        r.offer("s", 0, 1, "1");
        r.offer("s", 1, 2, "2");
        assertTimeoutPreemptively(
                Duration.ofSeconds(10),
                () -> assertThatThrownBy(() -> r.offer("s", 2, 3, "3"))
                        .isInstanceOf(OverloadedException.class)
                        .hasMessageContaining("holds 2 events; maxBuffered is 2")
                        .hasMessageContaining("still full after maxBlock PT0.05S"));
        assertThat(r.stats().buffered()).isEqualTo(2);
    }

    @Test
    void badInputIsRefused() {
        assertThatThrownBy(() -> WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofMillis(-1)))
                .hasMessage("maxOutOfOrderness must be >= 0, was PT-0.001S");
        assertThatThrownBy(() -> EventTimeReorderer.<String, String>builder().maxBuffered(0))
                .hasMessage("maxBuffered must be >= 1, was 0");
        assertThatThrownBy(() -> EventTimeReorderer.<String, String>builder()
                        .watermarks(bounded(0).withLatePolicy(LatePolicy.SIDE_OUTPUT))
                        .build(e -> {}))
                .hasMessageContaining("lateSink");
        EventTimeReorderer<String, String> r = build(builder(bounded(0)).maxBufferedBytes(3, String::length));
        assertThatThrownBy(() -> r.offer("s", 0, 1, "four")).hasMessageContaining("was 4");
        assertThat(r.stats().buffered()).isZero();
    }

    @Test
    void adaptiveBoundLearnsTheTargetQuantileAndFollowsAShift() {
        AdaptiveBound bound = AdaptiveBound.targeting(0.9).withHalfLife(1_000);
        for (int i = 0; i < 5_000; i++) {
            bound.record(i % 100);
        }
        assertThat(bound.boundMillis())
                .as("90th percentile of 0..99, within bucket precision")
                .isBetween(85L, 100L);
        for (int i = 0; i < 10_000; i++) {
            bound.record(1_000 + i % 1_000);
        }
        assertThat(bound.boundMillis()).as("after the shift").isBetween(1_800L, 2_100L);
        assertThatThrownBy(() -> AdaptiveBound.targeting(1.0)).hasMessage("quantile must be in (0, 1), was 1.0");
    }

    @Test
    void histogramBucketsCoverTheirValues() {
        for (long v : new long[] {0, 1, 7, 8, 9, 15, 16, 17, 100, 1_000, 123_456_789L, 1L << 50}) {
            int b = AdaptiveBound.bucketOf(v);
            assertThat(AdaptiveBound.upperEdge(b)).as("value %d", v).isGreaterThanOrEqualTo(v);
            if (b > 0) {
                assertThat(AdaptiveBound.upperEdge(b - 1)).isLessThan(v);
            }
        }
    }
}
