package dev.ordo.sequence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.ordo.ManualTicker;
import dev.ordo.OrdoInterruptedException;
import dev.ordo.flow.OverflowPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One thread feeds the resequencer and is also the only one that could bring the message a full
 * buffer waits for (a consumer loop reading a channel): no overflow policy may leave it parked.
 */
class SingleFeederTest {

    private final ManualTicker ticker = new ManualTicker();
    private final List<String> out = new ArrayList<>();
    private final List<String> requests = new ArrayList<>();

    private Resequencer.Builder<String, String> builder(OverflowPolicy overflow) {
        return Resequencer.<String, String>builder()
                .ticker(ticker)
                .maxBuffered(4)
                .overflowPolicy(overflow);
    }

    private Resequencer<String, String> build(Resequencer.Builder<String, String> builder) {
        return builder.build((source, sequence, message) -> out.add(source + ":" + sequence));
    }

    /** Sequences 1..4 fill the buffer while 0, the head, is missing. */
    private static void fillBehindAMissingHead(Resequencer<String, String> r) {
        for (long s = 1; s <= 4; s++) {
            assertThat(r.offer("a", s, "m")).isEqualTo(Resequencer.Offer.BUFFERED);
        }
    }

    @Test
    void refuseReturnsAtOnceAndEverythingComesOutInOrderOnceTheHeadArrives() {
        Resequencer<String, String> r = build(builder(OverflowPolicy.REFUSE));
        fillBehindAMissingHead(r);

        assertTimeoutPreemptively(
                Duration.ofSeconds(5), () -> assertThat(r.offer("a", 5, "m")).isEqualTo(Resequencer.Offer.REFUSED));
        assertThat(r.stats().refused()).isEqualTo(1);
        assertThat(r.stats().buffered()).as("nothing else changed").isEqualTo(4);
        assertThat(r.gaps())
                .extracting(Gap::missing)
                .as("the head and the refused message are missing")
                .containsExactly(new SequenceRange(0, 0), new SequenceRange(5, 5));

        assertThat(r.offer("a", 0, "m")).isEqualTo(Resequencer.Offer.RELEASED);
        assertThat(r.gaps()).extracting(Gap::missing).containsExactly(new SequenceRange(5, 5));
        assertThat(r.offer("a", 5, "m")).as("offered again later").isEqualTo(Resequencer.Offer.RELEASED);
        assertThat(out).containsExactly("a:0", "a:1", "a:2", "a:3", "a:4", "a:5");
        assertThat(r.gaps()).isEmpty();
    }

    @Test
    void blockGivesUpAfterMaxBlockNamingWhatItWaitsFor() {
        Resequencer<String, String> r = build(builder(OverflowPolicy.BLOCK).maxBlock(Duration.ofMillis(100)));
        fillBehindAMissingHead(r);
        ticker.advance(Duration.ofSeconds(3));

        ResequencerFullException full = assertTimeoutPreemptively(
                Duration.ofSeconds(10), () -> assertThrows(ResequencerFullException.class, () -> r.offer("a", 5, "m")));
        assertThat(full.source()).isEqualTo("a");
        assertThat(full.sequence()).isEqualTo(5);
        assertThat(full.nextExpected()).isZero();
        assertThat(full.buffered()).isEqualTo(4);
        assertThat(full.oldestGap()).hasValueSatisfying(gap -> {
            assertThat(gap.missing()).isEqualTo(new SequenceRange(0, 0));
            assertThat(gap.age()).isEqualTo(Duration.ofSeconds(3));
            assertThat(gap.heldBehind()).isEqualTo(4);
        });
        assertThat(full)
                .hasMessageContaining("cannot take sequence 5 of source a (next expected 0)")
                .hasMessageContaining("still full after maxBlock PT0.1S")
                .hasMessageContaining("oldest gap: source a missing [0, 0] for 3000 ms, 4 messages held behind");
        assertThat(r.stats().buffered()).as("nothing was taken").isEqualTo(4);

        r.offer("a", 0, "m");
        r.offer("a", 5, "m");
        assertThat(out).containsExactly("a:0", "a:1", "a:2", "a:3", "a:4", "a:5");
    }

    @Test
    void rejectThrowsTheSameTypedExceptionAtOnce() {
        Resequencer<String, String> r = build(builder(OverflowPolicy.REJECT));
        fillBehindAMissingHead(r);
        assertTimeoutPreemptively(
                Duration.ofSeconds(5),
                () -> assertThatThrownBy(() -> r.offer("a", 5, "m"))
                        .isInstanceOf(ResequencerFullException.class)
                        .hasMessageContaining("maxBuffered is 4"));
        r.offer("a", 0, "m");
        r.offer("a", 5, "m");
        assertThat(out).containsExactly("a:0", "a:1", "a:2", "a:3", "a:4", "a:5");
    }

    @Test
    void aBlockedOfferRunsDueRedeliveryRequestsAndTheRequesterMayOfferFromTheBlockedThread() {
        List<Resequencer<String, String>> self = new ArrayList<>();
        Resequencer<String, String> r = build(builder(OverflowPolicy.BLOCK)
                .maxBlock(Duration.ofSeconds(20))
                .gapPolicy(GapPolicy.neverSkip(Duration.ofMillis(10), Duration.ofSeconds(1), Duration.ofMinutes(1)))
                .redeliveryRequester((source, from, to, attempt) -> {
                    requests.add(source + " " + from + ".." + to + " #" + attempt);
                    for (long s = from; s <= to; s++) {
                        self.get(0).offer(source, s, "again");
                    }
                }));
        self.add(r);
        fillBehindAMissingHead(r);
        // The gap is due for a request, but nobody ticks: the feeding thread is about to block.
        ticker.advance(Duration.ofMillis(10));

        Resequencer.Offer offer = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> r.offer("a", 5, "m"));

        assertThat(offer).isEqualTo(Resequencer.Offer.RELEASED);
        assertThat(requests).containsExactly("a 0..0 #1");
        assertThat(out).containsExactly("a:0", "a:1", "a:2", "a:3", "a:4", "a:5");
    }

    @Test
    void redeliveryRequestsCoverTheRefusedRangeUntilItArrives() {
        Resequencer<String, String> r = build(builder(OverflowPolicy.REFUSE)
                .maxBuffered(2)
                .gapPolicy(GapPolicy.neverSkip(Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofMinutes(1)))
                .redeliveryRequester(
                        (source, from, to, attempt) -> requests.add(source + " " + from + ".." + to + " #" + attempt)));
        r.offer("a", 1, "m");
        r.offer("a", 2, "m");
        assertThat(r.offer("a", 3, "m")).isEqualTo(Resequencer.Offer.REFUSED);
        assertThat(r.offer("a", 4, "m")).isEqualTo(Resequencer.Offer.REFUSED);
        ticker.advance(Duration.ofMillis(10));
        r.tick();
        assertThat(requests).containsExactly("a 0..0 #1", "a 3..4 #1");

        r.offer("a", 0, "m");
        assertThat(out).containsExactly("a:0", "a:1", "a:2");
        assertThat(r.gaps()).singleElement().satisfies(gap -> {
            assertThat(gap.missing()).isEqualTo(new SequenceRange(3, 4));
            assertThat(gap.heldBehind()).isZero();
        });
        ticker.advance(Duration.ofMillis(10));
        r.tick();
        assertThat(requests).as("the source still waits for what it refused").endsWith("a 3..4 #2");

        r.offer("a", 3, "m");
        r.offer("a", 4, "m");
        assertThat(out).endsWith("a:3", "a:4");
        assertThat(r.gaps()).isEmpty();
        ticker.advance(Duration.ofSeconds(1));
        r.tick();
        assertThat(requests).hasSize(3);
    }

    @Test
    void anInterruptedBlockedOfferKeepsTheInterruptAndChangesNothing() throws Exception {
        Resequencer<String, String> r = build(builder(OverflowPolicy.BLOCK).maxBlock(Duration.ofMinutes(1)));
        fillBehindAMissingHead(r);
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread feeder = new Thread(() -> {
            try {
                r.offer("a", 5, "m");
                outcome.complete(null);
            } catch (RuntimeException e) {
                outcome.complete(Thread.currentThread().isInterrupted() ? e : new AssertionError("flag lost", e));
            }
        });
        feeder.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> feeder.getState() == Thread.State.TIMED_WAITING);
        feeder.interrupt();
        assertThat(outcome.get(10, TimeUnit.SECONDS))
                .isInstanceOf(OrdoInterruptedException.class)
                .hasMessage("interrupted while waiting for resequencer space for sequence 5 of source a");
        assertThat(r.stats().buffered()).isEqualTo(4);
    }
}
