package dev.ordo.bench.e2e;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The end-to-end runs' settings, each read once from a {@code -De2e.*} system property (listed on
 * {@link LogBenchmark}). The recorded figures use the defaults; the others are for experiments.
 */
final class EndToEndSettings {

    /**
     * The end-to-end topic's fsync policies (-De2e.fsync, comma-separated, each none|every-batch|interval:Nms):
     * the full and {@code e2e} runs measure each; a {@code paced} run the first.
     */
    static final List<String> FSYNC = List.of(
            System.getProperty("e2e.fsync", "none,interval:5ms,every-batch").split(","));
    /** The end-to-end record sizes (-De2e.sizes, comma-separated bytes; default 100,1024). */
    static final int[] SIZES = Arrays.stream(
                    System.getProperty("e2e.sizes", "100,1024").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    /**
     * How long the unpaced end-to-end run that measures the peak sends (-De2e.peakSeconds, times the
     * scale; 0 for fixed record counts, 1 M of 100 B and 300 k of 1 KiB, as the peak was first measured).
     * Its rate is taken from {@link #SUSTAIN_FROM_SECONDS} on: until then the records land in the page
     * cache (Linux starts writing back at 10% of memory dirty, 2.4 GB here, and throttles writers at
     * 20%), and a rate measured over the first 8 s was a burst the disk does not sustain: 1 KiB
     * records paced at half of it (336 MB/s) fell behind after 15 s, latency rising to 1.5 s.
     */
    static final double PEAK_SECONDS = Double.parseDouble(System.getProperty("e2e.peakSeconds", "40"));
    /** From when the peak run's rate counts (-De2e.sustainFromSeconds, times the scale): once writeback runs. */
    static final double SUSTAIN_FROM_SECONDS = Double.parseDouble(System.getProperty("e2e.sustainFromSeconds", "20"));
    /**
     * How long each paced run at 50% of peak lasts (-De2e.pacedSeconds, times the scale): long enough
     * to include the kernel's writeback of what it writes (5 s runs ended before it).
     */
    static final double PACED_SECONDS = Double.parseDouble(System.getProperty("e2e.pacedSeconds", "30"));
    /**
     * How long the paced runs after a peak run are preceded by one at their rate, not recorded
     * (-De2e.pacedWarmupSeconds, times the scale). With 2 s the first of three paced runs was the worst
     * in 11 of 16 cases of two full runs, presumably still paying for the 40 s unpaced run (the JIT
     * meeting small batches again, the disk after 9-15 GB). Two pairs, 100 B, interval:100ms: first
     * paced run p99 7.8 and 59.6 ms after 2 s, 4.2 and 4.0 ms after 15 s (the other runs 3.5-6.0 ms
     * either way).
     */
    static final double PACED_WARMUP_SECONDS = Double.parseDouble(System.getProperty("e2e.pacedWarmupSeconds", "15"));
    /**
     * How many paced runs at 50% of peak follow each peak (-De2e.repeats, default 1); with more, the
     * median p99 is printed too: on the benchmark VM one configuration's p99 varies 2x from run to run.
     */
    static final int REPEATS = Integer.getInteger("e2e.repeats", 1);
    /** The end-to-end consumer's handler threads (-De2e.handlers), one per partition by default. */
    static final int HANDLERS = Integer.getInteger("e2e.handlers", LogBenchmark.PARTITIONS);
    /** The end-to-end consumer's commit interval (-De2e.commitMs), the consumer's default (100 ms) by default. */
    static final Duration COMMIT = Duration.ofMillis(Long.getLong("e2e.commitMs", 100));
    /** The end-to-end producer's linger (-De2e.lingerMicros), none by default. */
    static final Duration LINGER = Duration.ofNanos(Long.getLong("e2e.lingerMicros", 0) * 1_000);
    /** The end-to-end topic's segment size (-De2e.segmentMiB), the topic default (1 GiB) by default. */
    static final Integer SEGMENT_MIB = Integer.getInteger("e2e.segmentMiB");
    /**
     * With -De2e.timeline=true, paced runs also print the largest latency of each 100 ms
     * (-De2e.timelineSlotMs) of scheduled send time, and how far the sender fell behind its schedule
     * (to tell warm-up, stalls and backlog apart).
     */
    static final boolean TIMELINE = Boolean.getBoolean("e2e.timeline");

    static final long TIMELINE_SLOT_NANOS = Long.getLong("e2e.timelineSlotMs", 100) * 1_000_000L;
    /**
     * With -De2e.stages=true, paced runs also print where the latency arises: send to acknowledgement
     * (the producer's side) of every 16th record, and the consumer's records in flight (handed to the
     * handlers, not finished) sampled every millisecond by the sending thread.
     */
    static final boolean STAGES = Boolean.getBoolean("e2e.stages");

    private EndToEndSettings() {}
}
