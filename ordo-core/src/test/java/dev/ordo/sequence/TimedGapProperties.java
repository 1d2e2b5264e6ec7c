package dev.ordo.sequence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * A timed gap policy against a reference that stamps every message with its arrival time: a gap has
 * waited since the first message beyond it arrived. Time moves in single nanoseconds so that a
 * decision one reading early shows.
 */
class TimedGapProperties {

    @Property(tries = 500)
    void skipAfterNeverSkipsBeforeTheTimeoutAndAlwaysOnceATickLooks(
            @ForAll @IntRange(min = 1, max = 400) int n,
            @ForAll @IntRange(min = 1, max = 64) int window,
            @ForAll @IntRange(min = 0, max = 20) int dropPercent,
            @ForAll @IntRange(min = 1, max = 30) int timeoutNanos,
            @ForAll long seed) {
        Random random = new Random(seed);
        List<Long> arrivals = displacedWithDrops(n, window, dropPercent, random);
        ManualTicker ticker = new ManualTicker();
        Map<Long, Long> arrivedAt = new HashMap<>();
        List<Long> released = new ArrayList<>();
        List<String> earlySkips = new ArrayList<>();
        Resequencer<String, Long> r = Resequencer.<String, Long>builder()
                .maxBuffered(n)
                .ticker(ticker)
                .gapPolicy(GapPolicy.skipAfter(Duration.ofNanos(timeoutNanos)))
                .listener(new ResequencerListener<>() {
                    @Override
                    public void onGapSkipped(String source, long from, long to) {
                        long age = ticker.read() - firstArrivalBeyond(arrivedAt, to);
                        if (age < timeoutNanos) {
                            earlySkips.add("[" + from + ", " + to + "] skipped at age " + age);
                        }
                    }
                })
                .build((source, sequence, message) -> released.add(sequence));

        int offered = 0;
        while (offered < arrivals.size()) {
            int step = random.nextInt(10);
            if (step < 6) {
                long sequence = arrivals.get(offered++);
                arrivedAt.put(sequence, ticker.read());
                r.offer("p", sequence, sequence);
            } else if (step < 9) {
                ticker.advanceNanos(random.nextInt(3));
            } else {
                r.tick();
                long next = r.nextExpected("p");
                if (r.stats().buffered() > 0) {
                    assertThat(ticker.read() - firstArrivalBeyond(arrivedAt, next))
                            .as("age of the gap at %d after a tick", next)
                            .isLessThan(timeoutNanos);
                }
            }
            assertThat(earlySkips).isEmpty();
            r.oldestGap()
                    .ifPresent(gap -> assertThat(gap.sinceNanos())
                            .as("the head gap is dated by the first message beyond it")
                            .isEqualTo(firstArrivalBeyond(arrivedAt, gap.from())));
        }
        for (int i = 1; i < released.size(); i++) {
            assertThat(released.get(i)).isGreaterThan(released.get(i - 1));
        }
    }

    /** {@code 0..n-1} without the dropped ones, each displaced at most {@code window} places. */
    private static List<Long> displacedWithDrops(int n, int window, int dropPercent, Random random) {
        List<Long> kept = new ArrayList<>();
        for (long s = 0; s < n; s++) {
            if (random.nextInt(100) >= dropPercent) {
                kept.add(s);
            }
        }
        for (int i = 0; i < kept.size(); i++) {
            int j = Math.min(kept.size() - 1, i + random.nextInt(window));
            Collections.swap(kept, i, j);
        }
        return kept;
    }

    /** The earliest arrival of a sequence above {@code sequence}: since when it has been known missing. */
    private static long firstArrivalBeyond(Map<Long, Long> arrivedAt, long sequence) {
        return arrivedAt.entrySet().stream()
                .filter(e -> e.getKey() > sequence)
                .mapToLong(Map.Entry::getValue)
                .min()
                .orElseThrow();
    }
}
