package dev.ordo.bench.jmh;

import dev.ordo.time.EventTimeReorderer;
import dev.ordo.time.WatermarkStrategy;
import java.time.Duration;
import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Event-time reordering, single-threaded, on 131,072 events of which 10% are
 * overtaken by up to 1,024 successors, each against a straightforward {@link PriorityQueue}
 * implementation of the same job. Scores are events per second.
 *
 * <ul>
 *   <li>Event time: timestamps 1 ms apart, bound 1,024 ms (nothing is late). The baseline keeps a
 *       heap by timestamp and releases while the head is at or below max - bound - 1.</li>
 *   <li>Sparse event time: the same arrival order, timestamps a random 1-1,000 ms apart, bound
 *       1,024 s (nothing is late): time spreads over ~65,000 s and most 1 ms steps hold no event.</li>
 *   <li>Sources: the first workload from 16 sources (timestamp modulo 16), each with its own
 *       watermark; the combined one is their minimum. The baseline keeps each source's newest
 *       timestamp in an array and rescans it when the source that held the minimum moves on.</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class EventTimeBenchmark {

    static final int EVENTS = 1 << 17;
    static final long BOUND_MILLIS = 1024;
    static final int MAX_SPARSE_GAP_MILLIS = 1_000;
    /** Covers an event overtaken by 1,024 successors each up to 1,000 ms apart. */
    static final long SPARSE_BOUND_MILLIS = 1024L * MAX_SPARSE_GAP_MILLIS;

    static final int SOURCES = 16;

    private long[] timestamps;
    private Long[] payloads;
    private long[] sparseTimestamps;
    private Long[] sparsePayloads;
    private int[] sourceIndexes;
    private String[] sourceNames;

    @Setup(Level.Trial)
    public void createWorkload() {
        timestamps = Workloads.displaced(EVENTS, 10, 1024, 20261125L);
        payloads = Workloads.boxed(timestamps);
        SplittableRandom gaps = new SplittableRandom(20261204L);
        long[] spread = new long[EVENTS];
        long time = 0;
        for (int i = 0; i < EVENTS; i++) {
            time += 1 + gaps.nextInt(MAX_SPARSE_GAP_MILLIS);
            spread[i] = time;
        }
        sparseTimestamps = new long[EVENTS];
        for (int i = 0; i < EVENTS; i++) {
            sparseTimestamps[i] = spread[(int) timestamps[i]];
        }
        sparsePayloads = Workloads.boxed(sparseTimestamps);
        sourceIndexes = new int[EVENTS];
        sourceNames = new String[EVENTS];
        for (int i = 0; i < EVENTS; i++) {
            sourceIndexes[i] = (int) (timestamps[i] % SOURCES);
            sourceNames[i] = "source-" + sourceIndexes[i];
        }
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long eventTimeOrdo(Blackhole out) {
        return reorder(out, timestamps, payloads, BOUND_MILLIS);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long eventTimePriorityQueue(Blackhole out) {
        return heap(out, timestamps, payloads, BOUND_MILLIS);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long eventTimeSparseOrdo(Blackhole out) {
        return reorder(out, sparseTimestamps, sparsePayloads, SPARSE_BOUND_MILLIS);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long eventTimeSparsePriorityQueue(Blackhole out) {
        return heap(out, sparseTimestamps, sparsePayloads, SPARSE_BOUND_MILLIS);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long eventTimeSourcesOrdo(Blackhole out) {
        EventTimeReorderer<String, Long> reorderer = EventTimeReorderer.<String, Long>builder()
                .watermarks(WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofMillis(BOUND_MILLIS)))
                .build(e -> out.consume(e));
        for (int i = 0; i < EVENTS; i++) {
            reorderer.offer(sourceNames[i], i, timestamps[i], payloads[i]);
        }
        reorderer.flush();
        return reorderer.stats().released();
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long eventTimeSourcesPriorityQueue(Blackhole out) {
        PriorityQueue<Long> heap = new PriorityQueue<>();
        long[] newest = new long[SOURCES];
        Arrays.fill(newest, Long.MIN_VALUE);
        long slowest = Long.MIN_VALUE;
        long released = 0;
        for (int i = 0; i < EVENTS; i++) {
            heap.add(payloads[i]);
            int source = sourceIndexes[i];
            long timestamp = timestamps[i];
            if (timestamp <= newest[source]) {
                continue;
            }
            long previous = newest[source];
            newest[source] = timestamp;
            if (previous != slowest) {
                continue;
            }
            slowest = Long.MAX_VALUE;
            for (long n : newest) {
                slowest = Math.min(slowest, n);
            }
            if (slowest == Long.MIN_VALUE) {
                continue;
            }
            long watermark = slowest - BOUND_MILLIS - 1;
            while (!heap.isEmpty() && heap.peek() <= watermark) {
                out.consume(heap.poll());
                released++;
            }
        }
        while (!heap.isEmpty()) {
            out.consume(heap.poll());
            released++;
        }
        return released;
    }

    /** One source's events through the reorderer, bound {@code bound} ms; returns how many it released. */
    private static long reorder(Blackhole out, long[] times, Long[] events, long bound) {
        EventTimeReorderer<String, Long> reorderer = EventTimeReorderer.<String, Long>builder()
                .watermarks(WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofMillis(bound)))
                .build(e -> out.consume(e));
        for (int i = 0; i < EVENTS; i++) {
            reorderer.offer("s", i, times[i], events[i]);
        }
        reorderer.flush();
        return reorderer.stats().released();
    }

    /** The baseline: a heap by timestamp, released while its head is at or below max - bound - 1. */
    private static long heap(Blackhole out, long[] times, Long[] events, long bound) {
        PriorityQueue<Long> heap = new PriorityQueue<>();
        long max = Long.MIN_VALUE;
        long released = 0;
        for (int i = 0; i < EVENTS; i++) {
            heap.add(events[i]);
            max = Math.max(max, times[i]);
            long watermark = max - bound - 1;
            while (!heap.isEmpty() && heap.peek() <= watermark) {
                out.consume(heap.poll());
                released++;
            }
        }
        while (!heap.isEmpty()) {
            out.consume(heap.poll());
            released++;
        }
        return released;
    }
}
