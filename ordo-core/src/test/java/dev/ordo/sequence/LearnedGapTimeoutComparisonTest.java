package dev.ordo.sequence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.ManualTicker;
import dev.ordo.time.AdaptiveBound;
import dev.ordo.time.ArrivalModel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Per-source gap timeouts against one learned for all sources, on a seeded trace of three sources
 * whose messages arrive out of order by different amounts ({@code fast}: log-normal delay, median
 * 20 ms; {@code slow}: median 400 ms; {@code heavy}: Pareto, scale 30 ms, shape 1.5; one message
 * each every 50 ms for 20 simulated minutes), replayed in simulated time with a tick every 5 ms. A
 * message that arrives after its gap was skipped is lost (late); the others wait from arrival to
 * release. With the mean wait of {@code skipAfter(AdaptiveBound)} as the budget, the learned model's
 * quantile is the largest on a grid that stays within it.
 *
 * <p>A measured limit, not a goal: per-source timeouts hold each source to its own quantile, which
 * spends the wait where it buys least, so at the same mean wait they lose no fewer messages in all
 * than one timeout learned over all sources. Figures in BENCHMARKS.md ("Learned arrival patterns").
 */
class LearnedGapTimeoutComparisonTest {

    private static final List<String> SOURCES = List.of("fast", "slow", "heavy");
    private static final long PERIOD_MILLIS = 50;
    private static final long MINUTES = 20;
    private static final double[] QUANTILES = {0.9, 0.95, 0.97, 0.98, 0.99, 0.993, 0.995, 0.997, 0.999};

    private record Message(int source, long sequence, long arrivalMillis) {}

    private record Outcome(String name, long messages, long late, long[] lateBySource, double meanWaitMillis) {

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "| %s | %.3f%% | %s | %.1f |",
                    name,
                    100.0 * late / messages,
                    Arrays.toString(lateBySource),
                    meanWaitMillis);
        }
    }

    private static List<Message> trace(long seed) {
        Random random = new Random(seed);
        List<Message> messages = new ArrayList<>();
        long end = Duration.ofMinutes(MINUTES).toMillis();
        for (int s = 0; s < SOURCES.size(); s++) {
            long sequence = 0;
            for (long t = s * 17L; t < end; t += PERIOD_MILLIS) {
                double delay = switch (s) {
                    case 0 -> 20 * Math.exp(0.5 * random.nextGaussian());
                    case 1 -> 400 * Math.exp(0.5 * random.nextGaussian());
                    default -> 30 * Math.pow(1 - random.nextDouble(), -1 / 1.5);
                };
                messages.add(new Message(s, sequence++, t + Math.round(delay)));
            }
        }
        messages.sort(Comparator.comparingLong(Message::arrivalMillis).thenComparingInt(Message::source));
        return messages;
    }

    private static Outcome replay(String name, List<Message> trace, Function<ManualTicker, GapPolicy> policy) {
        ManualTicker ticker = new ManualTicker();
        int n = trace.size();
        long[] releasedAt = new long[n];
        long[] now = {0};
        Resequencer<String, Integer> r = Resequencer.<String, Integer>builder()
                .ticker(ticker)
                .maxBuffered(n)
                .gapPolicy(policy.apply(ticker))
                .build((source, sequence, index) -> releasedAt[index] = now[0]);
        long late = 0;
        long[] lateBySource = new long[SOURCES.size()];
        boolean[] lost = new boolean[n];
        for (int i = 0; i < n; i++) {
            Message m = trace.get(i);
            while (now[0] + 5 < m.arrivalMillis()) {
                now[0] += 5;
                ticker.advance(Duration.ofMillis(5));
                r.tick();
            }
            ticker.advanceNanos((m.arrivalMillis() - now[0]) * 1_000_000);
            now[0] = m.arrivalMillis();
            if (r.offer(SOURCES.get(m.source()), m.sequence(), i) == Resequencer.Offer.LATE) {
                late++;
                lateBySource[m.source()]++;
                lost[i] = true;
            }
        }
        double waits = 0;
        for (int i = 0; i < n; i++) {
            if (!lost[i]) {
                waits += releasedAt[i] - trace.get(i).arrivalMillis();
            }
        }
        return new Outcome(name, n, late, lateBySource, waits / (n - late));
    }

    @Test
    void atTheSameMeanWaitPerSourceTimeoutsLoseNoFewerMessagesThanOneAdaptiveTimeout() {
        List<Message> trace = trace(20261204L);
        Outcome adaptive = replay(
                "skipAfter(AdaptiveBound q=0.99)",
                trace,
                ticker -> GapPolicy.skipAfter(AdaptiveBound.targeting(0.99).withInitial(Duration.ofMillis(50))));
        Outcome learned = null;
        for (double q : QUANTILES) {
            Outcome o = replay(
                    "skipAfter(ArrivalModel, q=" + q + ")",
                    trace,
                    ticker -> GapPolicy.skipAfter(
                            ArrivalModel.hourly()
                                    .withDefault(Duration.ofMillis(50))
                                    .withDayClock(() -> Instant.ofEpochMilli(ticker.read() / 1_000_000)),
                            q));
            if (o.meanWaitMillis() <= adaptive.meanWaitMillis()) {
                learned = o;
            }
        }
        System.out.println(
                "| gap policy | lost (arrived after the skip) | by source (fast, slow, heavy) | mean wait (ms) |");
        System.out.println("|---|---:|---|---:|");
        System.out.println(adaptive);
        System.out.println(learned);

        assertThat(learned).as("a learned quantile within the adaptive wait").isNotNull();
        assertThat(learned.late()).isGreaterThanOrEqualTo(adaptive.late());
    }
}
