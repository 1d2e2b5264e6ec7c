package dev.ordo.sequence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.ManualTicker;
import dev.ordo.OverloadedException;
import dev.ordo.flow.OverflowPolicy;
import dev.ordo.time.AdaptiveBound;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ResequencerTest {

    private final ManualTicker ticker = new ManualTicker();
    private final List<String> out = Collections.synchronizedList(new ArrayList<>());
    private final List<String> events = new CopyOnWriteArrayList<>();

    private final ResequencerListener<String> recordingListener = new ResequencerListener<>() {
        @Override
        public void onGapDetected(String source, long from, long to) {
            events.add("gap " + source + " " + from + ".." + to);
        }

        @Override
        public void onGapSkipped(String source, long from, long to) {
            events.add("skip " + source + " " + from + ".." + to);
        }

        @Override
        public void onGapFailed(String source, long from, long to) {
            events.add("fail " + source + " " + from + ".." + to);
        }
    };

    private Resequencer.Builder<String, String> builder() {
        return Resequencer.<String, String>builder().ticker(ticker).listener(recordingListener);
    }

    private Resequencer<String, String> build(Resequencer.Builder<String, String> builder) {
        return builder.build((source, sequence, message) -> out.add(source + ":" + sequence + ":" + message));
    }

    @Test
    void releasesInSequenceOrderPerSource() {
        Resequencer<String, String> r = build(builder());
        assertThat(r.offer("a", 2, "x")).isEqualTo(Resequencer.Offer.BUFFERED);
        assertThat(r.offer("b", 0, "y")).isEqualTo(Resequencer.Offer.RELEASED);
        assertThat(r.offer("a", 1, "x")).isEqualTo(Resequencer.Offer.BUFFERED);
        assertThat(out).containsExactly("b:0:y");
        assertThat(r.offer("a", 0, "x")).isEqualTo(Resequencer.Offer.RELEASED);
        assertThat(out).containsExactly("b:0:y", "a:0:x", "a:1:x", "a:2:x");
        assertThat(r.nextExpected("a")).isEqualTo(3);
        assertThat(r.stats().buffered()).isZero();
        assertThat(events).containsExactly("gap a 0..1");
    }

    @Test
    void dropsAndCountsDuplicatesAlreadyReleasedOrAlreadyBuffered() {
        Resequencer<String, String> r = build(builder());
        r.offer("a", 0, "m");
        assertThat(r.offer("a", 0, "m")).isEqualTo(Resequencer.Offer.DUPLICATE);
        r.offer("a", 3, "m");
        assertThat(r.offer("a", 3, "m")).isEqualTo(Resequencer.Offer.DUPLICATE);
        assertThat(r.stats().duplicates()).isEqualTo(2);
        assertThat(r.stats().buffered()).isEqualTo(1);
    }

    @Test
    void reportsEachNewRunOfMissingSequenceNumbers() {
        Resequencer<String, String> r = build(builder());
        r.offer("a", 2, "m");
        r.offer("a", 5, "m");
        r.offer("a", 4, "m");
        assertThat(events).containsExactly("gap a 0..1", "gap a 3..4");
        assertThat(r.stats().gapsDetected()).isEqualTo(2);
    }

    @Test
    void startsEverySourceAtTheConfiguredFirstSequence() {
        Resequencer<String, String> r = build(builder().firstSequence(1));
        assertThat(r.offer("a", 1, "m")).isEqualTo(Resequencer.Offer.RELEASED);
        assertThat(r.offer("a", 0, "m")).isEqualTo(Resequencer.Offer.DUPLICATE);
    }

    @Nested
    class GapPolicies {

        @Test
        void waitHoldsMessagesBackForEver() {
            Resequencer<String, String> r = build(builder().gapPolicy(GapPolicy.waitForever()));
            r.offer("a", 1, "m");
            ticker.advance(Duration.ofDays(365));
            r.tick();
            assertThat(out).isEmpty();
            r.offer("a", 0, "m");
            assertThat(out).containsExactly("a:0:m", "a:1:m");
        }

        @Test
        void skipAfterTimeoutReleasesWhatWaitsOnceTheGapIsOldEnough() {
            Resequencer<String, String> r = build(builder().gapPolicy(GapPolicy.skipAfter(Duration.ofSeconds(1))));
            r.offer("a", 2, "m");
            ticker.advance(Duration.ofMillis(999));
            r.tick();
            assertThat(out).isEmpty();
            ticker.advance(Duration.ofMillis(1));
            r.tick();
            assertThat(out).containsExactly("a:2:m");
            assertThat(events).contains("skip a 0..1");
            assertThat(r.stats().skipped()).isEqualTo(2);
            assertThat(r.offer("a", 1, "m"))
                    .as("a skipped message that shows up is late")
                    .isEqualTo(Resequencer.Offer.LATE);
            assertThat(r.stats().late()).isEqualTo(1);
        }

        @Test
        void gapAgeIsMeasuredFromTheOldestMessageItHoldsBack() {
            Resequencer<String, String> r = build(builder().gapPolicy(GapPolicy.skipAfter(Duration.ofSeconds(1))));
            r.offer("a", 1, "m");
            ticker.advance(Duration.ofMillis(600));
            r.offer("a", 3, "m");
            ticker.advance(Duration.ofMillis(400));
            r.tick();
            assertThat(out)
                    .as("seq 1 waited 1 s: skip 0; seq 3 waited 0.4 s: keep waiting for 2")
                    .containsExactly("a:1:m");
            ticker.advance(Duration.ofMillis(600));
            r.tick();
            assertThat(out).containsExactly("a:1:m", "a:3:m");
        }

        @Test
        void anAdaptiveTimeoutLearnsHowLongGapsTakeToFill() {
            AdaptiveBound bound =
                    AdaptiveBound.targeting(0.9).withHalfLife(1_000).withInitial(Duration.ofMillis(1));
            Resequencer<String, String> r = build(builder().gapPolicy(GapPolicy.skipAfter(bound)));
            long s = 0;
            for (int i = 0; i < 640; i++) {
                // every gap fills after 40 ms
                r.offer("a", s + 1, "m");
                ticker.advance(Duration.ofMillis(40));
                r.offer("a", s, "m");
                s += 2;
            }
            assertThat(r.stats().skipped())
                    .as("nothing skipped once the bound has learned")
                    .isLessThan(70);
            assertThat(bound.boundMillis()).isBetween(40L, 48L);
            long skippedBefore = r.stats().skipped();
            r.offer("a", s + 1, "m");
            ticker.advance(Duration.ofMillis(39));
            r.tick();
            assertThat(r.stats().skipped()).isEqualTo(skippedBefore);
            ticker.advance(Duration.ofMillis(10));
            r.tick();
            assertThat(r.stats().skipped())
                    .as("a gap that never fills is skipped after the learned bound")
                    .isEqualTo(skippedBefore + 1);
        }

        @Test
        void lateArrivalsAfterASkipPushAnAdaptiveTimeoutUp() {
            AdaptiveBound bound = AdaptiveBound.targeting(0.5).withHalfLife(64).withInitial(Duration.ofMillis(10));
            Resequencer<String, String> r = build(builder().gapPolicy(GapPolicy.skipAfter(bound)));
            long s = 0;
            for (int i = 0; i < 64; i++) {
                r.offer("a", s + 1, "m");
                ticker.advance(Duration.ofMillis(10));
                r.tick();
                ticker.advance(Duration.ofMillis(20));
                r.offer("a", s, "m");
                s += 2;
            }
            assertThat(r.stats().late()).isPositive();
            assertThat(bound.boundMillis())
                    .as("learned from late arrivals, 10 ms was too short")
                    .isGreaterThanOrEqualTo(20);
        }

        @Test
        void requestRedeliveryAsksForEveryMissingRangeWithBackoffThenGivesUp() {
            List<String> requests = new CopyOnWriteArrayList<>();
            Resequencer<String, String> r = build(builder()
                    .gapPolicy(GapPolicy.requestRedelivery(
                            Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofMillis(200)))
                    .redeliveryRequester((source, from, to, attempt) ->
                            requests.add(source + " " + from + ".." + to + " #" + attempt)));
            r.offer("a", 2, "m");
            r.offer("a", 5, "m");
            assertThat(requests).as("not before the initial backoff").isEmpty();
            ticker.advance(Duration.ofMillis(10));
            r.tick();
            assertThat(requests).containsExactly("a 0..1 #1", "a 3..4 #1");
            ticker.advance(Duration.ofMillis(19));
            r.tick();
            assertThat(requests).as("second request waits 20 ms").hasSize(2);
            ticker.advance(Duration.ofMillis(1));
            r.tick();
            assertThat(requests).endsWith("a 0..1 #2", "a 3..4 #2");
            r.offer("a", 0, "m");
            r.offer("a", 1, "m");
            ticker.advance(Duration.ofMillis(40));
            r.tick();
            assertThat(requests).as("filled ranges are not asked again").endsWith("a 3..4 #3");
            ticker.advance(Duration.ofMillis(200));
            r.tick();
            assertThat(out).containsExactly("a:0:m", "a:1:m", "a:2:m", "a:5:m");
            assertThat(events).contains("skip a 3..4");
            assertThat(r.stats().redeliveryRequests()).isEqualTo(5);
        }

        @Test
        void requestedMessagesOfferedFromTheRequesterAreReleased() {
            List<Resequencer<String, String>> self = new ArrayList<>();
            Resequencer<String, String> r = build(builder()
                    .gapPolicy(GapPolicy.requestRedelivery(
                            Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(1)))
                    .redeliveryRequester((source, from, to, attempt) -> {
                        for (long s = from; s <= to; s++) {
                            self.get(0).offer(source, s, "again");
                        }
                    }));
            self.add(r);
            r.offer("a", 3, "m");
            ticker.advance(Duration.ofMillis(1));
            r.tick();
            assertThat(out).containsExactly("a:0:again", "a:1:again", "a:2:again", "a:3:m");
        }

        @Test
        void failDeclaresAnOldGapFatalForItsSource() {
            Resequencer<String, String> r = build(builder().gapPolicy(GapPolicy.failAfter(Duration.ofSeconds(5))));
            r.offer("a", 2, "m");
            ticker.advance(Duration.ofSeconds(5));
            assertThatThrownBy(r::tick)
                    .isInstanceOf(SequenceGapException.class)
                    .hasMessageContaining("source a is missing sequence numbers [0, 1]");
            assertThatThrownBy(() -> r.offer("a", 0, "m")).isInstanceOf(SequenceGapException.class);
            assertThat(r.offer("b", 0, "m")).as("other sources go on").isEqualTo(Resequencer.Offer.RELEASED);
            assertThat(events).contains("fail a 0..1");
        }
    }

    @Nested
    class Bounds {

        @Test
        void rejectThrowsAndLeavesStateIntact() {
            Resequencer<String, String> r = build(builder().maxBuffered(2).overflowPolicy(OverflowPolicy.REJECT));
            r.offer("a", 1, "m");
            r.offer("a", 2, "m");
            assertThatThrownBy(() -> r.offer("b", 1, "m"))
                    .isInstanceOf(OverloadedException.class)
                    .isInstanceOf(ResequencerFullException.class)
                    .hasMessageContaining("cannot take sequence 1 of source b (next expected 0)")
                    .hasMessageContaining("holds 2 messages; maxBuffered is 2")
                    .hasMessageContaining("oldest gap: source a missing [0, 0]");
            assertThat(r.stats().buffered()).isEqualTo(2);
            assertThat(r.nextExpected("b")).isZero();
            r.offer("a", 0, "m");
            assertThat(out).containsExactly("a:0:m", "a:1:m", "a:2:m");
        }

        @Test
        void aMessageFurtherAheadThanTheCapacityDoesNotFit() {
            Resequencer<String, String> r = build(builder().maxBuffered(4).overflowPolicy(OverflowPolicy.REJECT));
            r.offer("a", 4, "m");
            assertThatThrownBy(() -> r.offer("a", 5, "m"))
                    .isInstanceOf(OverloadedException.class)
                    .hasMessageContaining("sequence 5 of source a is 5 ahead of the next expected 0; maxBuffered is 4");
        }

        @Test
        void byteBoundCountsTheWeightOfBufferedMessages() {
            Resequencer<String, String> r =
                    build(builder().maxBufferedBytes(10, String::length).overflowPolicy(OverflowPolicy.REJECT));
            r.offer("a", 1, "123456");
            assertThatThrownBy(() -> r.offer("a", 2, "12345"))
                    .isInstanceOf(OverloadedException.class)
                    .hasMessageContaining("6 bytes");
            r.offer("a", 2, "1234");
            assertThat(r.stats().bufferedBytes()).isEqualTo(10);
            r.offer("a", 0, "");
            assertThat(r.stats().bufferedBytes()).isZero();
        }

        @Test
        void forceGapSkipsTheOldestGapToMakeRoom() {
            Resequencer<String, String> r = build(builder().maxBuffered(2).overflowPolicy(OverflowPolicy.FORCE_GAP));
            r.offer("a", 1, "m");
            r.offer("a", 2, "m");
            assertThat(r.offer("a", 4, "m")).isEqualTo(Resequencer.Offer.BUFFERED);
            assertThat(out).containsExactly("a:1:m", "a:2:m");
            assertThat(events).contains("skip a 0..0");
            assertThat(r.stats().buffered()).isEqualTo(1);
        }

        @Test
        void forceGapSkipsOnlyUpToAMessageThatFillsTheGap() {
            Resequencer<String, String> r = build(builder().maxBuffered(2).overflowPolicy(OverflowPolicy.FORCE_GAP));
            r.offer("a", 2, "m");
            r.offer("b", 1, "m");
            assertThat(r.offer("a", 1, "m")).isEqualTo(Resequencer.Offer.RELEASED);
            assertThat(out).containsExactly("a:1:m", "a:2:m");
            assertThat(events).contains("skip a 0..0");
            assertThat(r.nextExpected("a")).isEqualTo(3);
        }

        @Test
        void blockWaitsUntilAnotherThreadFillsTheGap() {
            Resequencer<String, String> r = build(builder().maxBuffered(2).overflowPolicy(OverflowPolicy.BLOCK));
            r.offer("a", 1, "m");
            r.offer("a", 2, "m");
            CompletableFuture<Resequencer.Offer> blocked = CompletableFuture.supplyAsync(() -> r.offer("a", 3, "m"));
            await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5)).until(() -> !blocked.isDone());
            r.offer("a", 0, "m");
            assertThat(blocked.join()).isEqualTo(Resequencer.Offer.RELEASED);
            assertThat(out).containsExactly("a:0:m", "a:1:m", "a:2:m", "a:3:m");
        }

        @Test
        void blockedOfferProceedsWhenATickSkipsTheGap() {
            Resequencer<String, String> r = build(builder()
                    .maxBuffered(2)
                    .overflowPolicy(OverflowPolicy.BLOCK)
                    .gapPolicy(GapPolicy.skipAfter(Duration.ofSeconds(1))));
            r.offer("a", 1, "m");
            r.offer("b", 1, "m");
            CompletableFuture<Resequencer.Offer> blocked = CompletableFuture.supplyAsync(() -> r.offer("c", 1, "m"));
            await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(5)).until(() -> !blocked.isDone());
            ticker.advance(Duration.ofSeconds(1));
            r.tick();
            assertThat(blocked.join()).isEqualTo(Resequencer.Offer.BUFFERED);
            assertThat(out).containsExactly("a:1:m", "b:1:m");
        }
    }

    @Nested
    class BadInput {

        @Test
        void negativeSequenceIsRefusedNamingTheValueAndStateIsIntact() {
            Resequencer<String, String> r = build(builder());
            r.offer("a", 1, "m");
            assertThatThrownBy(() -> r.offer("a", -1, "m"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("sequence must be >= 0, was -1 (source a)");
            assertThat(r.stats().buffered()).isEqualTo(1);
        }

        @Test
        void nullSourceOrMessageIsRefused() {
            Resequencer<String, String> r = build(builder());
            assertThatThrownBy(() -> r.offer(null, 0, "m")).hasMessage("source must not be null");
            assertThatThrownBy(() -> r.offer("a", 0, null)).hasMessage("message must not be null");
        }

        @Test
        void aMessageHeavierThanTheByteBudgetIsRefused() {
            Resequencer<String, String> r = build(builder().maxBufferedBytes(4, String::length));
            assertThatThrownBy(() -> r.offer("a", 0, "12345"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("message weight must be <= maxBufferedBytes (4), was 5");
            assertThat(out).isEmpty();
        }

        @Test
        void capacityBelowOneIsRefused() {
            assertThatThrownBy(() -> builder().maxBuffered(0)).hasMessage("maxBuffered must be >= 1, was 0");
            assertThatThrownBy(() -> GapPolicy.skipAfter(Duration.ofSeconds(-1)))
                    .hasMessage("timeout must be >= 0, was PT-1S");
        }

        @Test
        void redeliveryWithoutARequesterIsRefused() {
            assertThatThrownBy(() -> build(builder()
                            .gapPolicy(GapPolicy.requestRedelivery(
                                    Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofSeconds(1)))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("redeliveryRequester");
        }

        @Test
        void aSinkThatThrowsLeavesTheMessageToBeReleasedAgain() {
            List<Long> released = new ArrayList<>();
            boolean[] fail = {true};
            Resequencer<String, String> r = Resequencer.<String, String>builder()
                    .ticker(ticker)
                    .build((source, sequence, message) -> {
                        if (sequence == 1 && fail[0]) {
                            throw new IllegalStateException("downstream down");
                        }
                        released.add(sequence);
                    });
            r.offer("a", 1, "m");
            r.offer("a", 2, "m");
            assertThatThrownBy(() -> r.offer("a", 0, "m")).hasMessage("downstream down");
            assertThat(released).containsExactly(0L);
            assertThat(r.offer("a", 1, "m")).isEqualTo(Resequencer.Offer.DUPLICATE);
            fail[0] = false;
            r.tick();
            assertThat(released).containsExactly(0L, 1L, 2L);
        }
    }
}
