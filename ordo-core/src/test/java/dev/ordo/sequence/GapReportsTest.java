package dev.ordo.sequence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.ordo.ManualTicker;
import dev.ordo.Ticker;
import dev.ordo.metrics.OrdoMetrics;
import dev.ordo.time.AdaptiveBound;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What a resequencer says about its gaps: right under every policy, named, and never stuck silently. */
class GapReportsTest {

    private final ManualTicker ticker = new ManualTicker();
    private final List<String> out = new ArrayList<>();

    private Resequencer<String, String> build(GapPolicy policy) {
        return Resequencer.<String, String>builder()
                .ticker(ticker)
                .gapPolicy(policy)
                .redeliveryRequester((source, from, to, attempt) -> {})
                .build((source, sequence, message) -> out.add(source + ":" + sequence));
    }

    @Test
    void underWaitForeverTheOldestGapAgeIsTheGapsAgeNotTheTickersReading() {
        ticker.advance(Duration.ofDays(3)); // a machine up for three days
        Resequencer<String, String> r = build(GapPolicy.waitForever());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        OrdoMetrics.resequencer(r, "ledger").bindTo(registry);
        r.offer("a", 1, "m");
        ticker.advance(Duration.ofSeconds(2));

        assertThat(r.oldestGapAgeNanos()).isEqualTo(Duration.ofSeconds(2).toNanos());
        assertThat(registry.get("ordo.resequencer.oldest.gap.age").gauge().value())
                .isEqualTo(2.0);
        r.offer("a", 0, "m");
        assertThat(r.oldestGapAgeNanos()).isZero();
    }

    @Test
    void eachGapIsDatedByTheFirstMessageSeenBeyondIt() {
        Resequencer<String, String> r = build(GapPolicy.waitForever());
        r.offer("a", 5, "m");
        ticker.advance(Duration.ofMillis(100));
        r.offer("a", 2, "m"); // splits [0, 4]: both parts have been missing since 5 arrived
        ticker.advance(Duration.ofMillis(100));
        r.offer("a", 9, "m");
        ticker.advance(Duration.ofMillis(100));

        assertThat(r.gaps())
                .extracting(Gap::from, Gap::to, Gap::age, Gap::heldBehind)
                .containsExactly(
                        tuple(0L, 1L, Duration.ofMillis(300), 3),
                        tuple(3L, 4L, Duration.ofMillis(300), 2),
                        tuple(6L, 8L, Duration.ofMillis(100), 1));
        assertThat(r.oldestGap())
                .hasValueSatisfying(gap ->
                        assertThat(gap).hasToString("source a missing [0, 1] for 300 ms, 3 messages held behind"));
    }

    @Test
    void theOldestGapIsTheHeadGapThatHasWaitedLongestOfAnySource() {
        Resequencer<String, String> r = build(GapPolicy.waitForever());
        r.offer("a", 1, "m");
        ticker.advance(Duration.ofSeconds(1));
        r.offer("b", 3, "m");
        ticker.advance(Duration.ofSeconds(1));
        r.offer("a", 0, "m");
        r.offer("a", 3, "m");
        ticker.advance(Duration.ofSeconds(1));
        assertThat(r.oldestGap())
                .as("a's new head gap [2, 2] is a second younger than b's [0, 2]")
                .hasValueSatisfying(gap -> assertThat(gap.source()).isEqualTo("b"));
        assertThat(r.gaps()).extracting(Gap::source).containsExactly("b", "a");
    }

    @Test
    void waitForeverReadsTheClockOncePerNewGapNotPerBufferedMessage() {
        AtomicInteger reads = new AtomicInteger();
        Ticker counting = () -> {
            reads.incrementAndGet();
            return ticker.read();
        };
        Resequencer<String, String> r = Resequencer.<String, String>builder()
                .ticker(counting)
                .build((source, sequence, message) -> out.add(source + ":" + sequence));
        for (long s = 1; s <= 1_000; s++) {
            r.offer("a", s, "m");
        }
        r.offer("a", 2_000, "m");
        assertThat(reads.get()).as("one gap before 1, one before 2000").isEqualTo(2);
        r.offer("a", 0, "m");
        assertThat(out).hasSize(1_001);
    }

    @Test
    void everyPolicyNamesItselfAndItsSettings() {
        assertThat(GapPolicy.waitForever()).hasToString("waitForever()");
        assertThat(GapPolicy.skipAfter(Duration.ofSeconds(1))).hasToString("skipAfter(PT1S)");
        assertThat(GapPolicy.skipAfter(AdaptiveBound.targeting(0.99)).toString())
                .startsWith("skipAfter(AdaptiveBound[q=0.99");
        assertThat(GapPolicy.requestRedelivery(Duration.ofMillis(10), Duration.ofSeconds(1), Duration.ofSeconds(30)))
                .hasToString("requestRedelivery(initialBackoff=PT0.01S, maxBackoff=PT1S, giveUpAfter=PT30S)");
        assertThat(GapPolicy.neverSkip(Duration.ofMillis(10), Duration.ofSeconds(1), Duration.ofMinutes(5)))
                .hasToString("neverSkip(initialBackoff=PT0.01S, maxBackoff=PT1S, haltAfter=PT5M)");
        assertThat(GapPolicy.failAfter(Duration.ofSeconds(5))).hasToString("failAfter(PT5S)");
        assertThat(GapPolicy.neverSkip(Duration.ofMillis(1), Duration.ofMillis(1), Duration.ZERO)
                        .kind())
                .isEqualTo(GapPolicy.Kind.NEVER_SKIP);
    }

    @Test
    void endOfStreamReleasesEverythingBehindGapsAsARecordedDecisionAndNamesTheGaps() {
        Resequencer<String, String> r = build(GapPolicy.waitForever());
        r.offer("a", 1, "m");
        r.offer("a", 3, "m");
        r.offer("b", 2, "m");
        ticker.advance(Duration.ofSeconds(1));

        List<Gap<String>> given = r.endOfStream("input file ended");

        assertThat(given)
                .extracting(Gap::source, Gap::from, Gap::to)
                .containsExactlyInAnyOrder(tuple("a", 0L, 0L), tuple("a", 2L, 2L), tuple("b", 0L, 1L));
        assertThat(out).containsExactly("a:1", "a:3", "b:2");
        assertThat(r.stats().buffered()).isZero();
        assertThat(r.gaps()).isEmpty();
        assertThat(r.stats().skippedByOperator()).isEqualTo(4);
        assertThat(r.skipDecisions())
                .extracting(SkipDecision::source, SkipDecision::throughSequence, SkipDecision::reason)
                .containsExactly(tuple("a", 3L, "input file ended"), tuple("b", 2L, "input file ended"));
        assertThat(r.endOfStream("again")).as("nothing left").isEmpty();
        assertThat(r.offer("a", 4, "m")).as("still usable").isEqualTo(Resequencer.Offer.RELEASED);
    }
}
