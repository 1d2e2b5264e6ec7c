package dev.ordo.bench.simulation;

import dev.ordo.exec.KeyOrderedExecutor;
import dev.ordo.flow.AdaptiveConcurrencyLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A downstream service that can serve 8 calls at once (the rest queue inside it) becomes 10x
 * slower mid-run (1 ms -> 10 ms a call). A key-ordered executor with 64 workers calls it, fed as
 * fast as a 2,000-task budget allows, once with a fixed concurrency of 64 and once with an
 * {@link AdaptiveConcurrencyLimit} targeting 15 ms. Every half second it prints the calls in flight
 * at the downstream and the mean call latency (including the queueing inside the downstream).
 *
 * <p>Run: {@code java -cp ordo-bench/target/benchmarks.jar dev.ordo.bench.simulation.AdaptiveConcurrencySimulation}
 */
public final class AdaptiveConcurrencySimulation {

    static final int DOWNSTREAM_CAPACITY = 8;
    static final int WORKERS = 64;

    /** One half-second sample. */
    public record Sample(
            double atSeconds, double serviceMillis, double inFlight, double meanLatencyMillis, long calls) {}

    private AdaptiveConcurrencySimulation() {}

    public static void main(String[] args) throws Exception {
        double phaseSeconds = args.length > 0 ? Double.parseDouble(args[0]) : 4;
        List<Sample> fixed = run(null, phaseSeconds);
        List<Sample> adaptive =
                run(AdaptiveConcurrencyLimit.targeting(Duration.ofMillis(15)).withBounds(1, WORKERS), phaseSeconds);
        System.out.printf(
                Locale.ROOT,
                "downstream: %d calls at once, service time 1 ms then 10 ms after %.0f s; %d workers%n%n",
                DOWNSTREAM_CAPACITY,
                phaseSeconds,
                WORKERS);
        System.out.println("| t (s) | service (ms) | fixed 64: in flight | fixed: mean latency (ms) | "
                + "adaptive: in flight | adaptive: mean latency (ms) | fixed / adaptive calls |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|");
        for (int i = 0; i < Math.min(fixed.size(), adaptive.size()); i++) {
            Sample f = fixed.get(i);
            Sample a = adaptive.get(i);
            System.out.printf(
                    Locale.ROOT,
                    "| %.1f | %.0f | %.1f | %.1f | %.1f | %.1f | %d / %d |%n",
                    f.atSeconds(),
                    f.serviceMillis(),
                    f.inFlight(),
                    f.meanLatencyMillis(),
                    a.inFlight(),
                    a.meanLatencyMillis(),
                    f.calls(),
                    a.calls());
        }
    }

    /** Runs two phases and returns the samples; {@code limit} null means fixed concurrency. */
    public static List<Sample> run(AdaptiveConcurrencyLimit limit, double phaseSeconds) throws InterruptedException {
        Semaphore downstream = new Semaphore(DOWNSTREAM_CAPACITY, true);
        AtomicLong serviceNanos = new AtomicLong(TimeUnit.MILLISECONDS.toNanos(1));
        AtomicInteger inFlight = new AtomicInteger();
        AtomicLong inFlightSum = new AtomicLong();
        AtomicLong inFlightSamples = new AtomicLong();
        AtomicLong latencySum = new AtomicLong();
        AtomicLong calls = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        KeyOrderedExecutor.Builder<Integer> builder =
                KeyOrderedExecutor.<Integer>builder().concurrency(WORKERS).maxInFlight(2_000);
        if (limit != null) {
            builder.concurrencyLimit(limit);
        }
        List<Sample> samples = new ArrayList<>();
        try (KeyOrderedExecutor<Integer> executor = builder.build()) {
            Thread producer = new Thread(
                    () -> {
                        Runnable call = downstreamCall(downstream, serviceNanos, inFlight, latencySum, calls);
                        for (int i = 0; !stop.get(); i++) {
                            executor.submit(i % 1_000, call::run);
                        }
                    },
                    "producer");
            producer.start();
            long begin = System.nanoTime();
            int halves = (int) Math.round(phaseSeconds * 4);
            for (int i = 1; i <= halves; i++) {
                if (i == halves / 2 + 1) {
                    serviceNanos.set(TimeUnit.MILLISECONDS.toNanos(10));
                }
                long until = begin + i * TimeUnit.MILLISECONDS.toNanos(500);
                while (System.nanoTime() < until) {
                    inFlightSum.addAndGet(inFlight.get());
                    inFlightSamples.incrementAndGet();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                }
                long n = calls.getAndSet(0);
                samples.add(new Sample(
                        i * 0.5,
                        serviceNanos.get() / 1e6,
                        inFlightSum.getAndSet(0) / (double) Math.max(1, inFlightSamples.getAndSet(0)),
                        n == 0 ? Double.NaN : latencySum.getAndSet(0) / 1e6 / n,
                        n));
            }
            stop.set(true);
            producer.join();
        }
        return samples;
    }

    /**
     * One call of the downstream service: waits for one of its {@value #DOWNSTREAM_CAPACITY} places,
     * takes the current service time there, and counts itself and its latency (queueing included).
     */
    private static Runnable downstreamCall(
            Semaphore downstream,
            AtomicLong serviceNanos,
            AtomicInteger inFlight,
            AtomicLong latencySum,
            AtomicLong calls) {
        return () -> {
            long start = System.nanoTime();
            inFlight.incrementAndGet();
            downstream.acquireUninterruptibly();
            try {
                LockSupport.parkNanos(serviceNanos.get());
            } finally {
                downstream.release();
                inFlight.decrementAndGet();
            }
            latencySum.addAndGet(System.nanoTime() - start);
            calls.incrementAndGet();
        };
    }
}
