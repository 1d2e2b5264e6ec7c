package dev.ordo.bench.e2e;

import dev.ordo.partition.Placement;
import java.util.Comparator;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;

/**
 * What one {@link PartitionChangeRun} measured, second by second: its steady seconds (the baseline: after
 * the warm-up, every second but those a change began in and the seconds after them) and, for each change
 * of the partition count, the second it began in and the second after.
 *
 * @param rate the paced rate in records/s, 0 when the producer sent as fast as the group kept up
 * @param steadySeconds each steady second's figures
 * @param sent records sent in the whole run (all handled, or the run failed)
 * @param outOfOrder records handled twice or after a later record of their key
 */
record ChangeFigures(
        Placement placement,
        int[] counts,
        double rate,
        List<Window> steadySeconds,
        List<Change> changes,
        long sent,
        long outOfOrder) {

    /**
     * The typical steady second, compared with a change second: each figure the median of the steady
     * seconds' (a second of a shared machine now and then stalls, and a mean would follow it).
     */
    Window steady() {
        return new Window(
                median(Window::handledPerSecond),
                median(Window::sentPerSecond),
                median(Window::p99Millis),
                median(Window::maxMillis),
                median(Window::longestSendMillis));
    }

    /** The steady second with the largest latency. */
    Window worstSteady() {
        return steadySeconds.stream()
                .max(Comparator.comparingDouble(Window::maxMillis))
                .orElseThrow();
    }

    /** The least and the most records a steady second handled. */
    DoubleSummaryStatistics steadyHandled() {
        return steadySeconds.stream().mapToDouble(Window::handledPerSecond).summaryStatistics();
    }

    /**
     * How many steady seconds handled less than {@code share} of the median steady second: how often
     * the machine alone dips as far as a change is allowed to.
     */
    long steadyBelow(double share) {
        double median = steady().handledPerSecond();
        return steadySeconds.stream()
                .filter(w -> w.handledPerSecond() < share * median)
                .count();
    }

    private double median(ToDoubleFunction<Window> figure) {
        double[] sorted = steadySeconds.stream().mapToDouble(figure).sorted().toArray();
        int half = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
    }

    /**
     * One second of a run, or the typical steady second ({@link #steady()}).
     *
     * @param handledPerSecond records handled in it
     * @param sentPerSecond records sent in it
     * @param p99Millis the 99th percentile latency (send to handler) of the records sent in it
     * @param maxMillis the largest such latency
     * @param longestSendMillis the longest one {@code send} took in it (a paused producer waits in it)
     */
    record Window(
            double handledPerSecond,
            double sentPerSecond,
            double p99Millis,
            double maxMillis,
            double longestSendMillis) {

        /** A second's figures; {@code latencyMicros} holds the latencies of the records sent in it. */
        static Window of(long handled, long sent, long longestSendNanos, Histogram latencyMicros) {
            return new Window(
                    handled,
                    sent,
                    latencyMicros.getValueAtPercentile(99) / 1e3,
                    latencyMicros.getMaxValue() / 1e3,
                    longestSendNanos / 1e6);
        }
    }

    /**
     * One change of the partition count.
     *
     * @param alterMillis how long {@code alterPartitions} took: the producers' pause
     * @param during the second the change began in
     * @param next the second after it
     * @param moved the records of the keys it moved sent after it in its second
     */
    record Change(int from, int to, double alterMillis, Window during, Window next, Moved moved) {}

    /**
     * The records of the keys a change moved, sent after it in its second: those the fence may hold back
     * until their keys' records in the partitions they left are handled. Their latency runs from the send
     * itself, so that the producer's pause (which records scheduled in it wait for) is not counted.
     *
     * @param records how many there were
     * @param p99Millis their 99th percentile latency, send to handler
     * @param maxMillis the largest
     */
    record Moved(long records, double p99Millis, double maxMillis) {

        static Moved of(Histogram latencyMicros) {
            return new Moved(
                    latencyMicros.getTotalCount(),
                    latencyMicros.getValueAtPercentile(99) / 1e3,
                    latencyMicros.getMaxValue() / 1e3);
        }
    }
}
