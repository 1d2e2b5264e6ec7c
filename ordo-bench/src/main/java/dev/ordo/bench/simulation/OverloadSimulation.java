package dev.ordo.bench.simulation;

import dev.ordo.pipeline.OrderedPipeline;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Overload, with its baseline in the same run: a producer offers 1 KiB messages (64 keys, in
 * sequence) at ten times what a slow handler (4 threads, ~20 us of waiting per message) can take,
 * for a fixed time, into an {@link OrderedPipeline}:
 * <ul>
 *   <li><b>budgeted</b>: 2,000 messages / 2 MiB shared by the reorder buffer and the work in flight,
 *       producers blocked when it is spent (Ordo's backpressure);</li>
 *   <li><b>unbounded</b> (the baseline): the same pipeline with a budget too large to bind, as a plain
 *       queue in front of a worker pool behaves.</li>
 * </ul>
 * It reports what was offered and handled, the most held at once (the pipeline's own accounting),
 * the heap still in use right after the flood (after a full GC), the producer's offer rate and the
 * latency from offer to handler end (HdrHistogram). The consumer's capacity is measured first, with
 * the budgeted pipeline and an unpaced producer.
 *
 * <p>Run:
 * {@code java -Xmx4g -cp ordo-bench/target/benchmarks.jar dev.ordo.bench.simulation.OverloadSimulation [seconds]}
 */
public final class OverloadSimulation {

    static final int KEYS = 64;
    static final int SIZE = 1024;
    static final long BUDGET_MESSAGES = 2_000;
    static final long BUDGET_BYTES = 2L << 20;

    /** One configuration's figures. */
    public record Result(
            String config,
            long offered,
            long handled,
            long peakHeld,
            long peakHeldBytes,
            double heapAfterFloodMiB,
            double offerRate,
            double handledRate,
            double p50Millis,
            double p99Millis) {}

    private OverloadSimulation() {}

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        run("warm-up", BUDGET_MESSAGES, BUDGET_BYTES, 0, 2);
        Result calibration = run("calibration", BUDGET_MESSAGES, BUDGET_BYTES, 0, 2);
        double capacity = calibration.handledRate();
        double rate = 10 * capacity;
        Result budgeted =
                run("budgeted (2,000 msgs / 2 MiB, producer blocks)", BUDGET_MESSAGES, BUDGET_BYTES, rate, seconds);
        Result unbounded = run("unbounded (baseline)", Long.MAX_VALUE / 4, Long.MAX_VALUE / 4, rate, seconds);
        System.out.printf(
                Locale.ROOT,
                "consumer capacity %,.0f msgs/s; offered at %,.0f msgs/s (10x) for %.0f s%n%n",
                capacity,
                rate,
                seconds);
        System.out.println(
                "| pipeline | offered | handled | peak held (msgs) | peak held (MiB) | heap after flood (MiB) | "
                        + "offers/s achieved | handled/s | latency p50 (ms) | p99 (ms) |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Result r : new Result[] {budgeted, unbounded}) {
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %,d | %,d | %,d | %.1f | %.0f | %,.0f | %,.0f | %.1f | %.1f |%n",
                    r.config(),
                    r.offered(),
                    r.handled(),
                    r.peakHeld(),
                    r.peakHeldBytes() / 1048576.0,
                    r.heapAfterFloodMiB(),
                    r.offerRate(),
                    r.handledRate(),
                    r.p50Millis(),
                    r.p99Millis());
        }
    }

    /**
     * Offers at {@code rate} messages/s (0: as fast as the pipeline admits) for {@code seconds}, then
     * lets the pipeline drain.
     */
    public static Result run(String config, long budgetMessages, long budgetBytes, double rate, double seconds)
            throws InterruptedException {
        Histogram latency = new ConcurrentHistogram(TimeUnit.MINUTES.toNanos(10), 3);
        AtomicLong handled = new AtomicLong();
        AtomicLong peakHeld = new AtomicLong();
        AtomicLong peakHeldBytes = new AtomicLong();
        long offered = 0;
        long floodNanos = (long) (seconds * 1e9);
        double heapAfterFlood;
        long floodEnd;
        long begin = System.nanoTime();
        long end;
        try (OrderedPipeline<Integer, byte[]> pipeline = pipeline(budgetMessages, budgetBytes, latency, handled)) {
            double interval = rate > 0 ? 1e9 / rate : 0;
            long sequence = 0;
            while (System.nanoTime() - begin < floodNanos) {
                long scheduled = rate > 0 ? begin + (long) (sequence * interval) : System.nanoTime();
                long wait = scheduled - System.nanoTime();
                if (wait > 1_000_000) {
                    LockSupport.parkNanos(wait - 500_000);
                }
                byte[] message = new byte[SIZE];
                ByteBuffer.wrap(message).putInt(0, (int) sequence).putLong(8, System.nanoTime());
                pipeline.offer("producer", sequence++, message); // blocks while the budget is spent
                offered++;
                if ((offered & 255) == 0) {
                    peakHeld.accumulateAndGet(pipeline.inFlight(), Math::max);
                    peakHeldBytes.accumulateAndGet(pipeline.inFlightBytes(), Math::max);
                }
            }
            floodEnd = System.nanoTime();
            peakHeld.accumulateAndGet(pipeline.inFlight(), Math::max);
            peakHeldBytes.accumulateAndGet(pipeline.inFlightBytes(), Math::max);
            System.gc();
            heapAfterFlood =
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
        } // close() waits for everything admitted to be handled
        end = System.nanoTime();
        return new Result(
                config,
                offered,
                handled.get(),
                peakHeld.get(),
                peakHeldBytes.get(),
                heapAfterFlood,
                offered * 1e9 / (floodEnd - begin),
                handled.get() * 1e9 / (end - begin),
                latency.getValueAtPercentile(50) / 1e6,
                latency.getValueAtPercentile(99) / 1e6);
    }

    /** The pipeline under test: the budget, 64 keys, and the slow handler on 4 threads. */
    private static OrderedPipeline<Integer, byte[]> pipeline(
            long budgetMessages, long budgetBytes, Histogram latency, AtomicLong handled) {
        return OrderedPipeline.<Integer, byte[]>builder()
                .maxInFlight(budgetMessages)
                .maxInFlightBytes(budgetBytes)
                .weigher(m -> m.length)
                .maxBuffered((int) Math.min(Integer.MAX_VALUE - 8, budgetMessages / 2))
                .key(m -> ByteBuffer.wrap(m).getInt(0) % KEYS)
                .concurrency(4)
                .handler(m -> {
                    LockSupport.parkNanos(20_000); // the slow consumer
                    latency.recordValue(
                            Math.max(0, System.nanoTime() - ByteBuffer.wrap(m).getLong(8)));
                    handled.incrementAndGet();
                })
                .build();
    }
}
