package dev.ordo.examples;

import dev.ordo.ManualTicker;
import dev.ordo.flow.OverflowPolicy;
import dev.ordo.sequence.CriticalAlert;
import dev.ordo.sequence.GapPolicy;
import dev.ordo.sequence.Resequencer;
import dev.ordo.time.AdaptiveBound;
import dev.ordo.time.ArrivalModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Resequencing: each teller numbers its operations 0, 1, 2, ...; they arrive scrambled and one of them
 * twice, and the resequencer hands them on in each teller's order, once.
 */
public final class ResequencerExample {

    private ResequencerExample() {}

    public static void main(String[] args) {
        System.out.println(applied()); // [+1000, -300]
    }

    /** The operations in the order the resequencer releases them. */
    static List<String> applied() {
        List<String> applied = new ArrayList<>();
        Resequencer<String, String> resequencer = Resequencer.<String, String>builder()
                .maxBuffered(10_000) // messages held, and how far ahead of its teller's next one a message may be
                .gapPolicy(GapPolicy.skipAfter(Duration.ofSeconds(1))) // or waitForever(), failAfter(d), ...
                .overflowPolicy(OverflowPolicy.BLOCK) // when full: wait for room; or REJECT, FORCE_GAP
                .build((teller, sequence, operation) -> applied.add(operation));
        resequencer.offer("teller-1", 1, "-300"); // BUFFERED: 0 has not arrived
        resequencer.offer("teller-1", 0, "+1000"); // RELEASED, and 1 after it
        resequencer.offer("teller-1", 1, "-300"); // DUPLICATE: dropped
        resequencer.tick(); // call regularly: gives up on gaps older than the gap policy allows
        return applied;
    }

    /**
     * After a restart: a resequencer built from a checkpoint expects, per source, the sequence after the
     * last one it released, so what a source sends again is dropped as a duplicate.
     */
    static List<String> afterRestart() {
        List<String> applied = new ArrayList<>();
        Resequencer<String, String> before =
                Resequencer.<String, String>builder().build((s, q, op) -> {});
        before.offer("teller-1", 0, "+1000");

        Map<String, Long> checkpoint = before.checkpoint(); // store it with the state it produced
        Resequencer<String, String> after = Resequencer.<String, String>builder()
                .resumeFrom(checkpoint)
                .build((teller, sequence, operation) -> applied.add(operation));
        after.offer("teller-1", 0, "+1000"); // DUPLICATE: released before the restart
        after.offer("teller-1", 1, "-300"); // RELEASED
        return applied;
    }

    /**
     * Strict order for data where a skip corrupts what follows (a ledger): nothing is ever skipped; a gap
     * is asked for again and again, and a teller whose operations stay missing is halted with an alert,
     * its later operations held, the other tellers going on, until they arrive or an operator decides.
     */
    static List<String> strict(ManualTicker ticker, Resender resender) {
        List<String> applied = new ArrayList<>();
        Resequencer<String, String> resequencer = Resequencer.<String, String>builder()
                .gapPolicy(GapPolicy.neverSkip(Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofMinutes(1)))
                .redeliveryRequester((teller, from, to, attempt) -> resender.resend(teller, from, to))
                .overflowPolicy(OverflowPolicy.REFUSE) // one feeding thread: refuse what does not fit, never block
                .ticker(ticker)
                .build((teller, sequence, operation) -> applied.add(operation));
        resequencer.offer("teller-1", 1, "-300"); // BUFFERED: 0 is missing and asked for again, never skipped
        ticker.advance(Duration.ofMinutes(2));
        resequencer.tick(); // teller-1 halts: a CriticalAlert to the listener, the log (ERROR) and the meters
        for (CriticalAlert<String> alert : resequencer.halted()) {
            System.out.println(alert.describe()); // missing [0, 0] for 120000 ms, 1 held behind; what to do
        }
        resequencer.skip("teller-1", 0, "operation 0 was cancelled at the branch"); // recorded decision
        return applied; // [-300]
    }

    /** A gap timeout that follows how long gaps took to fill, instead of a constant. */
    static GapPolicy adaptiveGapTimeout() {
        return GapPolicy.skipAfter(AdaptiveBound.targeting(0.99).withInitial(Duration.ofMillis(50)));
    }

    /** A gap timeout per source and hour of the day: a fast teller gives up sooner than a slow one. */
    static GapPolicy learnedGapTimeout() {
        ArrivalModel model = ArrivalModel.hourly().withDefault(Duration.ofMillis(50));
        return GapPolicy.skipAfter(model, 0.99);
    }

    /**
     * Asks the sender again for what is missing, after 100 ms and then doubling waits up to 5 s, and skips a
     * gap once it is 30 s old. The requester is called outside the resequencer's lock, so it may offer.
     */
    static Resequencer<String, String> withRedelivery(List<String> applied, Resender resender) {
        return Resequencer.<String, String>builder()
                .gapPolicy(GapPolicy.requestRedelivery(
                        Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(30)))
                .redeliveryRequester((teller, from, to, attempt) -> resender.resend(teller, from, to))
                .build((teller, sequence, operation) -> applied.add(operation));
    }

    /** Whatever can send a teller's operations again (the examples' stand-in for a network call). */
    interface Resender {
        void resend(String teller, long fromSequence, long toSequence);
    }
}
