package dev.ordo.sequence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ordo.ManualTicker;
import dev.ordo.flow.OverflowPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** {@link Resequencer#gapPolicy(GapPolicy)}: the gap policy changes while messages arrive. */
class LiveGapPolicyTest {

    private final ManualTicker ticker = new ManualTicker();
    private final List<String> out = new ArrayList<>();
    private final List<String> events = new ArrayList<>();

    private final ResequencerListener<String> listener = new ResequencerListener<>() {
        @Override
        public void onHalted(CriticalAlert<String> alert) {
            events.add("halted " + alert.source());
        }

        @Override
        public void onRecovered(String source, long nextSequence) {
            events.add("recovered " + source + " at " + nextSequence);
        }
    };

    private Resequencer.Builder<String, String> builder() {
        return Resequencer.<String, String>builder().ticker(ticker).listener(listener);
    }

    private void collect(String source, long sequence, String message) {
        out.add(message);
    }

    @Test
    void aGapHeldLongerThanTheNewTimeoutIsSkippedAtTheChangeAndWhatWaitedIsReleasedInOrder() {
        Resequencer<String, String> r = builder().build(this::collect);
        r.offer("s", 0, "m0");
        r.offer("s", 3, "m3");
        r.offer("s", 2, "m2");
        ticker.advance(Duration.ofSeconds(5));
        r.tick();
        assertThat(out).containsExactly("m0");

        r.gapPolicy(GapPolicy.skipAfter(Duration.ofSeconds(1)));

        assertThat(out).containsExactly("m0", "m2", "m3");
        assertThat(r.stats().skipped()).isEqualTo(1);
        assertThat(r.gapPolicy()).hasToString("skipAfter(PT1S)");
    }

    @Test
    void aYoungerGapWaitsOutTheNewTimeoutFromWhenItOpened() {
        Resequencer<String, String> r = builder().build(this::collect);
        r.offer("s", 1, "m1");
        ticker.advance(Duration.ofMillis(400));
        r.gapPolicy(GapPolicy.skipAfter(Duration.ofSeconds(1)));
        assertThat(out).isEmpty();
        ticker.advance(Duration.ofMillis(600));
        r.tick();
        assertThat(out).containsExactly("m1");
    }

    @Test
    void aSourceHaltedByNeverSkipGoesOnUnhaltedUnderAPolicyThatNeverHaltsAndStillWaits() {
        Resequencer<String, String> r = builder()
                .gapPolicy(GapPolicy.neverSkip(Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofSeconds(1)))
                .redeliveryRequester((source, from, to, attempt) -> {})
                .build(this::collect);
        r.offer("s", 0, "m0");
        r.offer("s", 2, "m2");
        ticker.advance(Duration.ofSeconds(2));
        r.tick();
        assertThat(r.halted()).hasSize(1);

        r.gapPolicy(GapPolicy.waitForever());

        assertThat(r.halted()).isEmpty();
        assertThat(events).containsExactly("halted s", "recovered s at 1");
        assertThat(out).as("nothing skipped").containsExactly("m0");
        r.offer("s", 1, "m1");
        assertThat(out).containsExactly("m0", "m1", "m2");
    }

    @Test
    void switchingToNeverSkipHaltsAGapAlreadyOlderThanItsHaltTime() {
        Resequencer<String, String> r = builder().build(this::collect);
        r.offer("s", 1, "m1");
        ticker.advance(Duration.ofSeconds(3));

        r.gapPolicy(GapPolicy.neverSkip(Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofSeconds(1)));

        assertThat(r.halted()).extracting(CriticalAlert::source).containsExactly("s");
        assertThat(out).isEmpty();
    }

    @Test
    void switchingToFailAfterFailsAnOverdueGapAndSaysSo() {
        Resequencer<String, String> r = builder().build(this::collect);
        r.offer("s", 1, "m1");
        ticker.advance(Duration.ofSeconds(3));

        assertThatThrownBy(() -> r.gapPolicy(GapPolicy.failAfter(Duration.ofSeconds(1))))
                .isInstanceOf(SequenceGapException.class);
        assertThat(r.gapPolicy().kind()).isEqualTo(GapPolicy.Kind.FAIL);
    }

    @Test
    void aPolicyThatCannotWorkWithTheResequencerIsRefusedAndNothingChanges() {
        Resequencer<String, String> r =
                builder().overflowPolicy(OverflowPolicy.FORCE_GAP).build(this::collect);
        r.offer("s", 1, "m1");

        assertThatThrownBy(() -> r.gapPolicy(GapPolicy.requestRedelivery(
                        Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofSeconds(1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gapPolicy requestRedelivery(initialBackoff=PT0.01S, maxBackoff=PT0.04S, giveUpAfter=PT1S)"
                        + " needs a redeliveryRequester");
        assertThatThrownBy(() -> r.gapPolicy(
                        GapPolicy.neverSkip(Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofSeconds(1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("never skips, but overflowPolicy FORCE_GAP");
        assertThatThrownBy(() -> r.gapPolicy(null)).isInstanceOf(NullPointerException.class);

        assertThat(r.gapPolicy()).isSameAs(GapPolicy.waitForever());
        assertThat(r.gaps()).hasSize(1);
    }

    @Test
    void offeringThreadsLoseNothingAndKeepOrderWhileThePolicyFlipsBetweenPoliciesThatNeverSkip() throws Exception {
        int sources = 4;
        int perSource = 2_000;
        Map<String, List<Long>> released = new ConcurrentHashMap<>();
        Resequencer<String, Long> r = Resequencer.<String, Long>builder()
                .maxBuffered(perSource * sources)
                .redeliveryRequester((source, from, to, attempt) -> {})
                .build((source, sequence, message) -> released.computeIfAbsent(
                                source, s -> new CopyOnWriteArrayList<>())
                        .add(sequence));
        List<GapPolicy> policies = List.of(
                GapPolicy.waitForever(),
                GapPolicy.neverSkip(Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5)),
                GapPolicy.neverSkip(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofDays(1)));
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> offering = new ArrayList<>();
        for (int s = 0; s < sources; s++) {
            String source = "s" + s;
            List<Long> sequences = new ArrayList<>();
            for (long q = 0; q < perSource; q++) {
                sequences.add(q);
            }
            Collections.shuffle(sequences, new java.util.Random(s));
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (long q : sequences) {
                    r.offer(source, q, q);
                }
            });
            t.start();
            offering.add(t);
        }
        AtomicBoolean flipping = new AtomicBoolean(true);
        int[] changes = {0};
        Thread flipper = new Thread(() -> {
            while (flipping.get()) {
                r.gapPolicy(policies.get(changes[0]++ % policies.size()));
                r.tick();
            }
        });
        flipper.start();
        start.countDown();
        for (Thread t : offering) {
            t.join();
        }
        flipping.set(false);
        flipper.join();
        r.gapPolicy(GapPolicy.waitForever());

        assertThat(changes[0]).as("changed while offers ran").isPositive();
        assertThat(released).hasSize(sources);
        for (List<Long> sequences : released.values()) {
            assertThat(sequences).hasSize(perSource).isSorted().doesNotHaveDuplicates();
        }
        assertThat(r.halted()).isEmpty();
    }
}
