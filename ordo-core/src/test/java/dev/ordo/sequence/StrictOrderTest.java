package dev.ordo.sequence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.ordo.ManualTicker;
import dev.ordo.flow.OverflowPolicy;
import dev.ordo.metrics.OrdoMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link GapPolicy#neverSkip}: a critical gap halts its source with an alert, it is never skipped by itself. */
class StrictOrderTest {

    private final ManualTicker ticker = new ManualTicker();
    private final List<String> out = new ArrayList<>();
    private final List<String> requests = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private final List<CriticalAlert<String>> alerts = new ArrayList<>();

    private final ResequencerListener<String> listener = new ResequencerListener<>() {
        @Override
        public void onGapSkipped(String source, long from, long to) {
            events.add("skip " + source + " " + from + ".." + to);
        }

        @Override
        public void onHalted(CriticalAlert<String> alert) {
            alerts.add(alert);
            events.add("halted " + alert.source());
        }

        @Override
        public void onRecovered(String source, long nextSequence) {
            events.add("recovered " + source + " at " + nextSequence);
        }

        @Override
        public void onSkippedByOperator(SkipDecision<String> decision) {
            events.add("operator skip " + decision.source() + " " + decision.fromSequence() + ".."
                    + decision.throughSequence() + " (" + decision.skipped() + " missing): " + decision.reason());
        }
    };

    /** Asks after 10 ms, then 20, 40, 40, ...; halts at 1 s. */
    private static GapPolicy strict() {
        return GapPolicy.neverSkip(Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofSeconds(1));
    }

    private Resequencer<String, String> build(boolean withRequester) {
        Resequencer.Builder<String, String> builder = Resequencer.<String, String>builder()
                .ticker(ticker)
                .gapPolicy(strict())
                .listener(listener);
        if (withRequester) {
            builder.redeliveryRequester(
                    (source, from, to, attempt) -> requests.add(source + " " + from + ".." + to + " #" + attempt));
        }
        return builder.build((source, sequence, message) -> out.add(source + ":" + sequence));
    }

    private void advanceAndTick(Resequencer<String, String> r, Duration by) {
        ticker.advance(by);
        r.tick();
    }

    @Test
    void anOldGapHaltsItsSourceWithAnAlertAndIsNeverSkipped() {
        Resequencer<String, String> r = build(true);
        r.offer("a", 2, "m");
        r.offer("a", 3, "m");
        r.offer("a", 6, "m");
        advanceAndTick(r, Duration.ofMillis(999));
        assertThat(r.halted()).isEmpty();
        advanceAndTick(r, Duration.ofMillis(1));

        assertThat(alerts).singleElement().satisfies(alert -> {
            assertThat(alert.source()).isEqualTo("a");
            assertThat(alert.missing()).containsExactly(new SequenceRange(0, 1), new SequenceRange(4, 5));
            assertThat(alert.waited()).isEqualTo(Duration.ofSeconds(1));
            assertThat(alert.sinceNanos()).isZero();
            assertThat(alert.heldBehind()).isEqualTo(3);
            assertThat(alert.suggestedActions())
                    .anySatisfy(a -> assertThat(a).contains("send [0, 1], [4, 5] again"))
                    .anySatisfy(a -> assertThat(a).contains("resume(a)"))
                    .anySatisfy(
                            a -> assertThat(a).contains("skip(a, 1, reason)").contains("lost"));
        });
        assertThat(r.halted()).extracting(CriticalAlert::source).containsExactly("a");
        assertThat(r.stats().halted()).isEqualTo(1);
        assertThat(r.stats().haltAlerts()).isEqualTo(1);

        advanceAndTick(r, Duration.ofDays(1));
        assertThat(out).as("never skipped, however long").isEmpty();
        assertThat(r.stats().skipped()).isZero();
        assertThat(alerts).as("one alert per halt").hasSize(1);
        assertThat(events).noneMatch(e -> e.startsWith("skip"));
    }

    @Test
    void otherSourcesGoOnWhileOneIsHalted() {
        Resequencer<String, String> r = build(true);
        r.offer("a", 1, "m");
        advanceAndTick(r, Duration.ofSeconds(1));
        assertThat(r.halted()).hasSize(1);
        r.offer("b", 1, "m");
        r.offer("b", 0, "m");
        r.offer("a", 2, "m");
        assertThat(out).containsExactly("b:0", "b:1");
        assertThat(r.stats().buffered())
                .as("the halted source's later messages stay held")
                .isEqualTo(2);
    }

    @Test
    void keepsRequestingTheMissingRangesWithCappedBackoffAlsoWhileHalted() {
        Resequencer<String, String> r = build(true);
        r.offer("a", 3, "m");
        advanceAndTick(r, Duration.ofMillis(10));
        assertThat(requests).containsExactly("a 0..2 #1");
        advanceAndTick(r, Duration.ofMillis(20));
        advanceAndTick(r, Duration.ofMillis(40));
        advanceAndTick(r, Duration.ofMillis(39));
        assertThat(requests).as("40 ms is the cap").containsExactly("a 0..2 #1", "a 0..2 #2", "a 0..2 #3");
        advanceAndTick(r, Duration.ofSeconds(1));
        assertThat(r.halted()).hasSize(1);
        int before = requests.size();
        for (int i = 0; i < 5; i++) {
            advanceAndTick(r, Duration.ofMillis(40));
        }
        assertThat(requests.subList(before, requests.size())).hasSize(5).allMatch(q -> q.startsWith("a 0..2 #"));
    }

    @Test
    void withoutARequesterItJustWaitsAndHalts() {
        Resequencer<String, String> r = build(false);
        r.offer("a", 1, "m");
        advanceAndTick(r, Duration.ofSeconds(1));
        assertThat(r.halted()).hasSize(1);
        assertThat(r.stats().redeliveryRequests()).isZero();
    }

    @Test
    void whenTheMissingMessagesArriveTheSourceContinuesByItself() {
        Resequencer<String, String> r = build(true);
        r.offer("a", 1, "m");
        advanceAndTick(r, Duration.ofSeconds(1));
        r.offer("a", 0, "m");
        assertThat(out).containsExactly("a:0", "a:1");
        assertThat(r.halted()).isEmpty();
        assertThat(r.stats().halted()).isZero();
        assertThat(events).containsExactly("halted a", "recovered a at 2");
    }

    @Test
    void filledHeadGapWithAnotherOldGapBehindItStaysHaltedOnTheRemainingRange() {
        Resequencer<String, String> r = build(true);
        r.offer("a", 1, "m");
        r.offer("a", 3, "m");
        advanceAndTick(r, Duration.ofSeconds(1));
        r.offer("a", 0, "m");
        assertThat(out).containsExactly("a:0", "a:1");
        assertThat(r.halted())
                .singleElement()
                .satisfies(alert -> assertThat(alert.missing()).containsExactly(new SequenceRange(2, 2)));
        assertThat(events).containsExactly("halted a");
    }

    @Test
    void resumeAcknowledgesTheAlertAndWaitsAnotherHaltAfter() {
        Resequencer<String, String> r = build(true);
        r.offer("a", 1, "m");
        advanceAndTick(r, Duration.ofSeconds(1));
        assertThat(r.resume("a")).isTrue();
        assertThat(r.resume("a")).as("not halted any more").isFalse();
        assertThat(r.halted()).isEmpty();
        advanceAndTick(r, Duration.ofMillis(999));
        assertThat(r.halted()).isEmpty();
        advanceAndTick(r, Duration.ofMillis(1));
        assertThat(r.halted())
                .singleElement()
                .satisfies(alert -> assertThat(alert.waited()).isEqualTo(Duration.ofSeconds(2)));
        assertThat(r.stats().haltAlerts()).isEqualTo(2);
    }

    @Test
    void skipIsARecordedOperatorDecision() {
        Resequencer<String, String> r = build(true);
        r.offer("a", 2, "m");
        r.offer("a", 4, "m");
        advanceAndTick(r, Duration.ofSeconds(1));

        List<Gap<String>> given = r.skip("a", 1, "teller 7 confirmed ops 0-1 were never sent");

        assertThat(given).extracting(Gap::missing).containsExactly(new SequenceRange(0, 1));
        assertThat(out).containsExactly("a:2");
        assertThat(r.halted())
                .as("3 has been missing for as long: still halted")
                .singleElement()
                .satisfies(alert -> assertThat(alert.missing()).containsExactly(new SequenceRange(3, 3)));
        assertThat(r.skip("a", 3, "lost in the outage"))
                .extracting(Gap::missing)
                .containsExactly(new SequenceRange(3, 3));
        assertThat(out).containsExactly("a:2", "a:4");
        assertThat(r.halted()).isEmpty();
        assertThat(r.stats().skippedByOperator()).isEqualTo(3);
        assertThat(r.stats().skipped()).isEqualTo(3);
        assertThat(r.skipDecisions())
                .extracting(SkipDecision::throughSequence, SkipDecision::skipped, SkipDecision::reason)
                .containsExactly(
                        tuple(1L, 2L, "teller 7 confirmed ops 0-1 were never sent"),
                        tuple(3L, 1L, "lost in the outage"));
        assertThat(events)
                .contains(
                        "operator skip a 0..1 (2 missing): teller 7 confirmed ops 0-1 were never sent",
                        "recovered a at 5")
                .noneMatch(e -> e.startsWith("skip "));
        assertThat(r.offer("a", 0, "m"))
                .as("a skipped message that shows up is late")
                .isEqualTo(Resequencer.Offer.LATE);
    }

    @Test
    void skipReleasesWhatIsPresentInTheRangeInOrder() {
        Resequencer<String, String> r = build(true);
        r.offer("a", 2, "m");
        r.offer("a", 5, "m");
        r.skip("a", 3, "lost");
        assertThat(out).containsExactly("a:2");
        assertThat(r.nextExpected("a")).isEqualTo(4);
        assertThat(r.skipDecisions())
                .singleElement()
                .satisfies(d -> assertThat(d.skipped()).isEqualTo(3));
    }

    @Test
    void badOperatorInputIsRefusedAndChangesNothing() {
        Resequencer<String, String> r = build(true);
        r.offer("a", 0, "m");
        r.offer("a", 2, "m");
        assertThatThrownBy(() -> r.skip("a", 0, "why"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("throughSequence must be >= the next expected sequence 1 of source a, was 0");
        assertThatThrownBy(() -> r.skip("a", 1, " ")).hasMessage("reason must not be blank, was ' '");
        assertThatThrownBy(() -> r.skip("a", Long.MAX_VALUE, "all"))
                .hasMessage("throughSequence must be < 9223372036854775807, was 9223372036854775807");
        assertThat(r.nextExpected("a")).isEqualTo(1);
        assertThat(r.skipDecisions()).isEmpty();
        assertThat(r.resume("nobody")).isFalse();
    }

    @Test
    void combiningWithForceGapIsRefusedAtBuild() {
        assertThatThrownBy(() -> Resequencer.<String, String>builder()
                        .gapPolicy(strict())
                        .overflowPolicy(OverflowPolicy.FORCE_GAP)
                        .build((s, q, m) -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("never skips")
                .hasMessageContaining("FORCE_GAP")
                .hasMessageContaining("choose REFUSE, REJECT or BLOCK");
    }

    @Test
    void haltsAreCountedAndGaugedByTheMeters() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Resequencer<String, String> r = build(true);
        OrdoMetrics.resequencer(r, "ledger").bindTo(registry);
        r.offer("a", 1, "m");
        r.offer("b", 1, "m");
        advanceAndTick(r, Duration.ofSeconds(1));
        assertThat(registry.get("ordo.resequencer.halted").gauge().value()).isEqualTo(2);
        assertThat(registry.get("ordo.resequencer.halt.alerts")
                        .functionCounter()
                        .count())
                .isEqualTo(2);
        r.offer("a", 0, "m");
        assertThat(registry.get("ordo.resequencer.halted").gauge().value()).isEqualTo(1);
        r.skip("b", 0, "gone");
        assertThat(registry.get("ordo.resequencer.halted").gauge().value()).isZero();
        assertThat(registry.get("ordo.resequencer.skipped.by.operator")
                        .functionCounter()
                        .count())
                .isEqualTo(1);
    }
}
