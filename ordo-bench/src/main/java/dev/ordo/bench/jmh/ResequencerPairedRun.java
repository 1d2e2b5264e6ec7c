package dev.ordo.bench.jmh;

import java.util.Arrays;
import java.util.function.ToLongFunction;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link ResequencerBenchmark}'s displaced workload with Ordo and the {@code PriorityQueue} baseline taking
 * turns in one JVM: each round times a block of invocations of each, and the figure is the ratio of their
 * rates within the round. On a shared machine whose load changes from second to second, JMH's forks (one
 * per benchmark, one after the other) measure Ordo and the baseline under different loads; rounds a fraction
 * of a second long see nearly the same load for both, so the ratios scatter far less. One policy per JVM, so
 * that the resequencer's code is compiled for it alone, as in a JMH fork.
 *
 * <pre>
 * java -cp ordo-bench/target/benchmarks.jar dev.ordo.bench.jmh.ResequencerPairedRun waitForever|skipAfter [ROUNDS]
 * </pre>
 */
public final class ResequencerPairedRun {

    private static final int INVOCATIONS_PER_BLOCK = 10;
    private static final int WARM_UP_ROUNDS = 30;

    private ResequencerPairedRun() {}

    public static void main(String[] args) {
        String policy = args.length > 0 ? args[0] : "skipAfter";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        if (!policy.equals("waitForever") && !policy.equals("skipAfter")) {
            throw new IllegalArgumentException("policy must be waitForever or skipAfter, was " + policy);
        }
        ResequencerBenchmark bench = new ResequencerBenchmark();
        bench.workload = "displaced10pct1024";
        bench.createWorkload();
        Blackhole out = new Blackhole(
                "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
        ToLongFunction<Blackhole> ordo = policy.equals("waitForever") ? bench::ordo : bench::ordoSkipAfterTimeout;
        ToLongFunction<Blackhole> heap = bench::priorityQueue;
        double[] ordoRates = new double[rounds];
        double[] heapRates = new double[rounds];
        double[] ratios = new double[rounds];
        for (int round = -WARM_UP_ROUNDS; round < rounds; round++) {
            boolean ordoFirst = (round & 1) == 0; // each goes first in turn
            double first = rate(ordoFirst ? ordo : heap, out);
            double second = rate(ordoFirst ? heap : ordo, out);
            if (round >= 0) {
                ordoRates[round] = ordoFirst ? first : second;
                heapRates[round] = ordoFirst ? second : first;
                ratios[round] = ordoRates[round] / heapRates[round];
            }
        }
        System.out.printf(
                "%s: ratio to the heap, median %.2fx, range %.2f-%.2fx (p10 %.2fx) over %d rounds; Ordo median %.1f M/s,"
                        + " heap median %.1f M/s%n",
                policy,
                quantile(ratios, 0.5),
                quantile(ratios, 0),
                quantile(ratios, 1),
                quantile(ratios, 0.1),
                rounds,
                quantile(ordoRates, 0.5) / 1e6,
                quantile(heapRates, 0.5) / 1e6);
    }

    /** Messages per second over a block of invocations. */
    private static double rate(ToLongFunction<Blackhole> body, Blackhole out) {
        long start = System.nanoTime();
        for (int i = 0; i < INVOCATIONS_PER_BLOCK; i++) {
            out.consume(body.applyAsLong(out));
        }
        long elapsed = System.nanoTime() - start;
        return (double) INVOCATIONS_PER_BLOCK * ResequencerBenchmark.MESSAGES * 1e9 / elapsed;
    }

    private static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.round(q * (sorted.length - 1))];
    }
}
