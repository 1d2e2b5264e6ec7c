package dev.ordo.bench.e2e;

import org.HdrHistogram.Histogram;

/**
 * One measured case of {@link LogBenchmark}: what ran, records per second, latency percentiles in
 * microseconds; for paced end-to-end runs also the p99 of the records scheduled after the first
 * second, which leaves out start-up (the JIT recompiling paths the warm-up did not take).
 */
record Figure(
        String system,
        String durability,
        int recordBytes,
        int writers,
        long records,
        double recordsPerSecond,
        double p50Micros,
        double p99Micros,
        double p999Micros,
        double steadyP99Micros) {

    double megabytesPerSecond() {
        return recordsPerSecond * recordBytes / 1e6;
    }

    /** A figure from a record count, the time it took and its latencies in nanoseconds (no steady p99). */
    static Figure of(
            String system,
            String durability,
            int size,
            int writers,
            long records,
            long elapsedNanos,
            Histogram latencyNanos) {
        return new Figure(
                system,
                durability,
                size,
                writers,
                records,
                records * 1e9 / elapsedNanos,
                latencyNanos.getValueAtPercentile(50) / 1e3,
                latencyNanos.getValueAtPercentile(99) / 1e3,
                latencyNanos.getValueAtPercentile(99.9) / 1e3,
                Double.NaN);
    }
}
