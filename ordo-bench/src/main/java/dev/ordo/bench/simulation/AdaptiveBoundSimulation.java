package dev.ordo.bench.simulation;

import dev.ordo.ManualTicker;
import dev.ordo.time.AdaptiveBound;
import dev.ordo.time.EventTimeReorderer;
import dev.ordo.time.WatermarkStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A simulated network whose delay distribution shifts mid-run, through an event-time reorderer
 * with a fixed out-of-orderness bound or an {@link AdaptiveBound}.
 *
 * <p>One event per millisecond of event time; each is delayed by a log-normal network delay
 * (median {@code medianBefore} ms, then {@code medianAfter} ms after the shift, spread sigma) and
 * processed in arrival order with a {@link ManualTicker} at the arrival time. Measured per phase:
 * the share of late events and the added latency (release time minus arrival time) of the rest.
 *
 * <p>Run: {@code java -cp ordo-bench/target/benchmarks.jar dev.ordo.bench.simulation.AdaptiveBoundSimulation}
 */
public final class AdaptiveBoundSimulation {

    /** Per-phase outcome of one configuration. */
    public record Phase(long events, long late, double meanLatencyMillis, double p99LatencyMillis) {
        public double lateShare() {
            return events == 0 ? 0 : (double) late / events;
        }
    }

    /** Outcome of one configuration over both phases. */
    public record Outcome(String name, Phase before, Phase after) {}

    private final int eventsPerPhase;
    private final double medianBefore;
    private final double medianAfter;
    private final double sigma;
    private final long seed;
    private final double[] delays;

    public AdaptiveBoundSimulation(
            int eventsPerPhase, double medianBefore, double medianAfter, double sigma, long seed) {
        this.eventsPerPhase = eventsPerPhase;
        this.medianBefore = medianBefore;
        this.medianAfter = medianAfter;
        this.sigma = sigma;
        this.seed = seed;
        this.delays = delays();
    }

    public static void main(String[] args) {
        AdaptiveBoundSimulation sim = new AdaptiveBoundSimulation(200_000, 20, 80, 0.5, 20261125L);
        long best = sim.bestFixedBoundForFirstPhase(0.99);
        long bestAfter = sim.bestFixedBoundForSecondPhase(0.99);
        List<Outcome> outcomes = List.of(
                sim.run(
                        "fixed " + best + " ms (best for phase 1 in hindsight)",
                        WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofMillis(best))),
                sim.run(
                        "fixed " + bestAfter + " ms (best for phase 2 in hindsight)",
                        WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofMillis(bestAfter))),
                sim.run(
                        "adaptive q=0.99, half-life 2,000 samples",
                        WatermarkStrategy.forAdaptiveOutOfOrderness(AdaptiveBound.targeting(0.99)
                                .withHalfLife(2_000)
                                .withInitial(Duration.ofMillis(best)))));
        System.out.printf(
                Locale.ROOT,
                "%d events per phase, log-normal delay median %.0f ms -> %.0f ms, sigma %.1f, seed %d%n%n",
                sim.eventsPerPhase,
                sim.medianBefore,
                sim.medianAfter,
                sim.sigma,
                sim.seed);
        System.out.println(
                "| bound | late before | late after | mean / p99 added latency before (ms) | mean / p99 after (ms) |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (Outcome o : outcomes) {
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %.2f%% | %.2f%% | %.1f / %.1f | %.1f / %.1f |%n",
                    o.name(),
                    100 * o.before().lateShare(),
                    100 * o.after().lateShare(),
                    o.before().meanLatencyMillis(),
                    o.before().p99LatencyMillis(),
                    o.after().meanLatencyMillis(),
                    o.after().p99LatencyMillis());
        }
    }

    /** The smallest fixed bound that keeps phase 1's late share at or below {@code 1 - quantile}. */
    public long bestFixedBoundForFirstPhase(double quantile) {
        return smallestBound(0, quantile);
    }

    /** The same for phase 2. */
    public long bestFixedBoundForSecondPhase(double quantile) {
        return smallestBound(1, quantile);
    }

    private long smallestBound(int phase, double quantile) {
        long low = 0;
        long high = 10_000;
        while (low < high) {
            long mid = (low + high) >>> 1;
            Outcome o = run("probe", WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofMillis(mid)));
            Phase p = phase == 0 ? o.before() : o.after();
            if (p.lateShare() <= 1 - quantile) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        return low;
    }

    /** Runs the whole stream through a reorderer with {@code strategy}. */
    public Outcome run(String name, WatermarkStrategy strategy) {
        int n = 2 * eventsPerPhase;
        long[] arrivalMicros = new long[n];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            arrivalMicros[i] = i * 1_000L + (long) (delays[i] * 1_000);
            order[i] = i;
        }
        Arrays.sort(
                order,
                (a, b) -> arrivalMicros[a] != arrivalMicros[b]
                        ? Long.compare(arrivalMicros[a], arrivalMicros[b])
                        : Integer.compare(a, b));

        ManualTicker ticker = new ManualTicker();
        long[] releasedAtMicros = new long[n];
        Arrays.fill(releasedAtMicros, -1);
        boolean[] late = new boolean[n];
        long[] now = {0};
        EventTimeReorderer<String, Integer> reorderer = EventTimeReorderer.<String, Integer>builder()
                .watermarks(strategy)
                .ticker(ticker)
                .maxBuffered(n)
                .build(e -> releasedAtMicros[e.payload()] = now[0]);
        for (int i : order) {
            ticker.advanceNanos((arrivalMicros[i] - now[0]) * 1_000);
            now[0] = arrivalMicros[i];
            if (reorderer.offer("net", i, i, i) != EventTimeReorderer.Offer.ACCEPTED) {
                late[i] = true;
            }
        }
        now[0] = arrivalMicros[order[n - 1]];
        reorderer.flush();
        return new Outcome(
                name,
                phase(0, eventsPerPhase, late, arrivalMicros, releasedAtMicros),
                phase(eventsPerPhase, n, late, arrivalMicros, releasedAtMicros));
    }

    private static Phase phase(int from, int to, boolean[] late, long[] arrival, long[] released) {
        long lateCount = 0;
        List<Long> latencies = new ArrayList<>();
        for (int i = from; i < to; i++) {
            if (late[i]) {
                lateCount++;
            } else {
                latencies.add(released[i] - arrival[i]);
            }
        }
        latencies.sort(null);
        double mean = latencies.stream().mapToLong(Long::longValue).average().orElse(0) / 1_000;
        double p99 = latencies.isEmpty()
                ? 0
                : latencies.get((int) Math.min(latencies.size() - 1, latencies.size() * 0.99)) / 1_000.0;
        return new Phase(to - from, lateCount, mean, p99);
    }

    private double[] delays() {
        Random random = new Random(seed);
        double[] d = new double[2 * eventsPerPhase];
        for (int i = 0; i < d.length; i++) {
            double median = i < eventsPerPhase ? medianBefore : medianAfter;
            d[i] = median * Math.exp(sigma * random.nextGaussian());
        }
        return d;
    }
}
