package dev.ordo.bench.e2e;

import static dev.ordo.bench.e2e.EndToEndSettings.COMMIT;
import static dev.ordo.bench.e2e.EndToEndSettings.HANDLERS;
import static dev.ordo.bench.e2e.EndToEndSettings.LINGER;
import static dev.ordo.bench.e2e.EndToEndSettings.SEGMENT_MIB;
import static dev.ordo.bench.e2e.EndToEndSettings.STAGES;
import static dev.ordo.bench.e2e.EndToEndSettings.TIMELINE_SLOT_NANOS;

import com.sun.management.OperatingSystemMXBean;
import dev.ordo.engine.Acknowledgement;
import dev.ordo.engine.Ordering;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * One end-to-end run: one producer sends {@code total} records to a topic with the given fsync
 * policy, at {@code rate} records/s (paced in about 1 ms steps) or, with rate 0, as fast as it can; a
 * consumer group (PARTITION ordering) handles them. Latency runs from each record's scheduled send
 * time, or its actual send when that was earlier (written into its value, so a stalled sender is not
 * hidden), to its handler call; throughput from the first send to the last handler call. Sending
 * stops after {@code sendForNanos} (if positive) when not all were sent, and the throughput then
 * counts only the records handled from {@code rateFromNanos} (if positive) on.
 */
final class EndToEndRun {

    /** The largest latency per slot of scheduled send time (-De2e.timeline), this run's only. */
    private static final AtomicLongArray TIMELINE = EndToEndSettings.TIMELINE ? new AtomicLongArray(3_000) : null;

    private final int size;
    private final String fsync;
    private final double rate;
    private final long total;
    private final long sendForNanos;
    private final long rateFromNanos;
    private final HandlerTallies tallies = new HandlerTallies();
    private final Histogram sendLag = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private final Histogram acked =
            new Histogram(TimeUnit.SECONDS.toNanos(60), 3); // recorded by the sender thread only
    private final Histogram inFlight = new Histogram(3);
    private long nextSample;
    /** When sending began; read by the handlers (the records they get were sent after it was set). */
    private long start = Long.MAX_VALUE;

    /** What the sending thread did: how many records it sent, and when the rate's window began. */
    private record Sent(long records, double recordsPerBatch, long handledAtRateFrom, long rateFromAt) {}

    EndToEndRun(int size, String fsync, double rate, long total, long sendForNanos, long rateFromNanos) {
        this.size = size;
        this.fsync = fsync;
        this.rate = rate;
        this.total = total;
        this.sendForNanos = sendForNanos;
        this.rateFromNanos = rateFromNanos;
    }

    Figure measure(EmbeddedLog log) throws Exception {
        TopicSpec spec = TopicSpec.partitions(LogBenchmark.PARTITIONS).fsync(TopicSpec.parseFsync(fsync));
        log.createTopic("e2e", SEGMENT_MIB == null ? spec : spec.segmentBytes(SEGMENT_MIB << 20));
        OrdoConsumer<byte[], byte[]> consumer = OrdoConsumer.builder(log, "e2e")
                .group("bench")
                .ordering(Ordering.PARTITION)
                .concurrency(HANDLERS)
                .commitInterval(COMMIT)
                .handler(r -> handle(r.value()))
                .start();
        // The clock starts with the pipeline in place, as in Kafka's end-to-end latency tool: the
        // producer built and the consumer owning every partition. Before, the first records
        // waited for the group's first assignment and the producer's start (15-35 ms at the
        // start of every run in 10 ms timelines: part of the p99 at 50% of peak).
        OrdoProducer<byte[], byte[]> producer =
                OrdoProducer.builder(log, "e2e").linger(LINGER).build();
        awaitAssignment(consumer);
        long begin = System.nanoTime();
        long cpuAtBegin = processCpuNanos();
        start = begin;
        if (TIMELINE != null) {
            for (int i = 0; i < TIMELINE.length(); i++) {
                TIMELINE.set(i, 0); // this run's only
            }
        }
        Sent sent = send(producer, consumer, begin);
        if (TIMELINE != null && rate > 0) {
            tallies.awaitHandled(sent.records());
            printTimeline(begin);
            printSendLag();
        }
        if (STAGES && rate > 0) { // the producer is closed: its sender's recordings are all in
            printStages();
        }
        long lastConsumed = tallies.awaitHandled(sent.records());
        consumer.close();
        return figure(sent, begin, cpuAtBegin, lastConsumed);
    }

    private void handle(byte[] value) {
        long scheduled = ByteBuffer.wrap(value).getLong(0);
        long now = System.nanoTime();
        HandlerTallies.Tally own = tallies.mine();
        own.all.recordValue(Math.max(0, now - scheduled));
        if (scheduled - start >= 1_000_000_000L) {
            own.steady.recordValue(Math.max(0, now - scheduled));
        }
        if (TIMELINE != null && rate > 0) {
            int slot = (int) Math.min(TIMELINE.length() - 1, Math.max(0, (scheduled - start) / TIMELINE_SLOT_NANOS));
            TIMELINE.accumulateAndGet(slot, now - scheduled, Math::max);
        }
        own.handled(now);
    }

    private static void awaitAssignment(OrdoConsumer<byte[], byte[]> consumer) {
        long joinDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (consumer.assignment().size() < LogBenchmark.PARTITIONS) {
            if (System.nanoTime() > joinDeadline) {
                throw new IllegalStateException("consumer was not assigned every partition within 30 s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** Sends the records at the run's rate (or unpaced), then closes the producer once all are written. */
    private Sent send(OrdoProducer<byte[], byte[]> producer, OrdoConsumer<byte[], byte[]> consumer, long begin)
            throws Exception {
        double recordsPerBatch;
        long sent = total;
        long handledAtRateFrom = -1; // records handled when the rate starts counting, and when that was
        long rateFromAt = 0;
        try (producer) {
            byte[][] keys = Keys.forWriter(0);
            double intervalNanos = rate > 0 ? 1e9 / rate : 0;
            for (long i = 0; i < total; i++) {
                // One clock read per record (28 ns each on this machine's kvm-clock, and the load
                // generator shares the CPUs with what it measures), another only after a park.
                long now = System.nanoTime();
                if (sendForNanos > 0 && now - begin >= sendForNanos) {
                    sent = i;
                    break;
                }
                if (rateFromNanos > 0 && handledAtRateFrom < 0 && now - begin >= rateFromNanos) {
                    handledAtRateFrom = tallies.handled();
                    rateFromAt = System.nanoTime();
                }
                long scheduled = rate > 0 ? begin + (long) (i * intervalNanos) : now;
                if (scheduled - now > 1_000_000) {
                    LockSupport.parkNanos(scheduled - now - 500_000); // pace in about 1 ms steps
                    now = System.nanoTime();
                }
                byte[] value = new byte[size];
                // Latency runs from the scheduled time when the send is late (a stall is not hidden),
                // from the send itself when the pacing sends early (up to 1 ms; not counted as 0).
                long stamp = Math.min(scheduled, now);
                ByteBuffer.wrap(value).putLong(0, stamp);
                CompletableFuture<Acknowledgement> ack = producer.send(keys[(int) (i & 63)], value);
                if (STAGES && rate > 0) {
                    sampleStages(i, ack, stamp, now, consumer);
                }
                if (TIMELINE != null && rate > 0) {
                    sendLag.recordValue(Math.max(0, now - scheduled));
                }
            }
            producer.flush();
            recordsPerBatch = producer.recordsWritten() / (double) Math.max(1, producer.batchesWritten());
        }
        return new Sent(sent, recordsPerBatch, handledAtRateFrom, rateFromAt);
    }

    /** With -De2e.stages: the send-to-acknowledgement latency of every 16th record, in flight every 1 ms. */
    private void sampleStages(
            long i,
            CompletableFuture<Acknowledgement> ack,
            long stamp,
            long now,
            OrdoConsumer<byte[], byte[]> consumer) {
        if ((i & 15) == 0) {
            ack.whenComplete((a, e) -> acked.recordValue(Math.max(0, System.nanoTime() - stamp)));
        }
        if (now >= nextSample) {
            inFlight.recordValue(consumer.stats().inFlight());
            nextSample = now + 1_000_000;
        }
    }

    private void printTimeline(long begin) {
        // The JVM uptime at the first slot, to line the slots up with -Xlog (gc, safepoint, jit) output,
        // and its System.nanoTime (CLOCK_MONOTONIC), for perf record -k CLOCK_MONOTONIC traces.
        long firstSlotUptimeMillis =
                ManagementFactory.getRuntimeMXBean().getUptime() - (System.nanoTime() - begin) / 1_000_000;
        StringBuilder line = new StringBuilder(String.format(
                Locale.ROOT,
                "max latency per slot (ms, from uptime %.3f s, nanoTime %d):",
                firstSlotUptimeMillis / 1e3,
                begin));
        for (int i = 0; i < TIMELINE.length() && i * TIMELINE_SLOT_NANOS < total * 1e9 / rate; i++) {
            line.append(' ').append(TIMELINE.get(i) / 1_000_000);
        }
        System.err.println(line);
    }

    private void printSendLag() {
        System.err.printf(
                Locale.ROOT,
                "send lag behind schedule: p50 %,d us, p99 %,d us, max %,d us%n",
                sendLag.getValueAtPercentile(50) / 1000,
                sendLag.getValueAtPercentile(99) / 1000,
                sendLag.getMaxValue() / 1000);
    }

    private void printStages() {
        System.err.printf(
                Locale.ROOT,
                "stages: send to ack p50 %,d us, p99 %,d us, p99.9 %,d us; handler in flight"
                        + " p50 %,d, p99 %,d, max %,d%n",
                acked.getValueAtPercentile(50) / 1000,
                acked.getValueAtPercentile(99) / 1000,
                acked.getValueAtPercentile(99.9) / 1000,
                inFlight.getValueAtPercentile(50),
                inFlight.getValueAtPercentile(99),
                inFlight.getMaxValue());
    }

    private Figure figure(Sent sent, long begin, long cpuAtBegin, long lastConsumed) {
        HandlerTallies.Latencies latencies = tallies.merged();
        // CPU the whole process used while the run lasted, in cores: how close the machine was to saturation.
        double cores = (processCpuNanos() - cpuAtBegin) / (double) (System.nanoTime() - begin);
        String label = fsync
                + (rate > 0
                        ? String.format(Locale.ROOT, ", paced at %,.0f/s (50%% of peak)", rate)
                        : ", peak (unpaced)")
                + String.format(
                        Locale.ROOT,
                        ", %.0f records/batch, CPU %.1f of %d cores",
                        sent.recordsPerBatch(),
                        cores,
                        Runtime.getRuntime().availableProcessors());
        // The rate counts the records handled from rateFromNanos on, if that came, else all of them.
        boolean window = sent.handledAtRateFrom() >= 0;
        if (window) {
            label += String.format(Locale.ROOT, ", rate from %.0f s to the end", (sent.rateFromAt() - begin) / 1e9);
        }
        Figure f = Figure.of(
                "ordo end-to-end",
                label,
                size,
                1,
                window ? sent.records() - sent.handledAtRateFrom() : sent.records(),
                lastConsumed - (window ? sent.rateFromAt() : begin),
                latencies.all());
        return new Figure(
                f.system(),
                f.durability(),
                size,
                1,
                sent.records(),
                f.recordsPerSecond(),
                f.p50Micros(),
                f.p99Micros(),
                f.p999Micros(),
                rate > 0 ? latencies.steady().getValueAtPercentile(99) / 1e3 : Double.NaN);
    }

    /** CPU time used by this process so far (all threads, user and system), in nanoseconds. */
    private static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
