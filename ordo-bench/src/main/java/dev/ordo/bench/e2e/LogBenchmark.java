package dev.ordo.bench.e2e;

import dev.ordo.log.producer.OrdoProducer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The embedded engine's benchmark (issue 4), every figure with its baselines in the same run:
 *
 * <ol>
 *   <li><b>Append</b>: {@link OrdoProducer}s (1 or 8, each on its own thread, async sends) write
 *       100 B or 1 KiB records to a topic of 8 partitions under each fsync policy; throughput from
 *       the first send to the last acknowledgement, latency send-to-acknowledgement of every 64th record
 *       (HdrHistogram; the producers send as fast as they can, so this is latency at saturation).</li>
 *   <li><b>Raw disk</b>: plain {@link FileChannel} writes of the same payload bytes in 1 MiB chunks
 *       (no force: the page-cache limit; forced every 5 ms; forced after every chunk).</li>
 *   <li><b>Chronicle Queue</b> (OpenHFT, {@code net.openhft:chronicle-queue}), the embedded persisted
 *       queue Java users choose today, at matched durability: its default (page cache only) against
 *       Ordo's {@code none}, and with {@code sync()} every 5 ms in {@code SyncMode.SYNC}
 *       ({@code msync(MS_SYNC)}; the default mode's {@code MS_ASYNC} forces nothing) against Ordo's
 *       5 ms interval policy;
 *       1 or 8 appender threads.</li>
 *   <li><b>End to end</b>, under each fsync policy: the peak rate (one producer sending as fast as
 *       it can for 40 s, its rate counted from the 20th second on, once the disk rather than the
 *       page cache sets the pace), then
 *       one producer paced at half of it, a consumer group (PARTITION ordering) reading; latency
 *       from the scheduled send time (or the send, if the pacing sent early) to the handler (so a
 *       stall is not hidden by a late send), p50/p99/p99.9.</li>
 * </ol>
 *
 * Run (Chronicle needs these flags on Java 17 and must not phone home; {@code AlwaysPreTouch} maps
 * the heap at start, as latency-sensitive services do, instead of page-faulting it in during the
 * first seconds of measurement; {@code UseTransparentHugePages} maps it with 2 MiB pages, which on
 * the benchmark VM took the kernel's periodic page sampling out of the p99, see BENCHMARKS.md):
 * <pre>
 * java -Xms2g -Xmx2g -XX:+AlwaysPreTouch -XX:+UseTransparentHugePages \
 *      --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
 *      --add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED \
 *      -Dchronicle.analytics.disable=true -Dchronicle.announcer.disable=true \
 *      -cp ordo-bench/target/benchmarks.jar dev.ordo.bench.e2e.LogBenchmark [DIR] [scale]
 * </pre>
 * {@code DIR} is where the data goes (default: a temporary directory; deleted after each case),
 * {@code scale} multiplies the record counts (default 1); then optionally
 * <ul>
 *   <li>{@code e2e}: only the end-to-end cases;</li>
 *   <li>{@code case SIZE WRITERS FSYNC N}: one append case N times, Ordo and Chronicle Queue (matched
 *       durability) taking turns, medians printed (e.g. {@code case 100 1 interval:5ms 5});</li>
 *   <li>{@code paced SIZE RATE [SECONDS]}: one end-to-end run at a fixed rate (with
 *       {@code -De2e.timeline=true} also the largest latency per 100 ms of send time; with
 *       {@code -De2e.stages=true} the producer's send-to-acknowledgement latency and the
 *       consumer's records in flight, to tell the two sides' shares apart).</li>
 * </ul>
 * End-to-end runs take {@code -De2e.fsync=P1,P2,...}, each {@code none|every-batch|interval:Nms} (default
 * {@code none,interval:5ms,every-batch}: the full and {@code e2e} runs measure each, a {@code paced}
 * run the first), {@code -De2e.peakSeconds=S} (how long the peak run sends, default 40; 0 for
 * fixed record counts), {@code -De2e.sustainFromSeconds=S} (the peak's rate counts from
 * there, default 20), {@code -De2e.pacedSeconds=S} (each paced run, default 30), {@code
 * -De2e.pacedWarmupSeconds=S} (the unrecorded run at the paced rate before them, default 15),
 * {@code -De2e.sizes=100,1024} (record sizes), {@code -De2e.repeats=N} (paced runs after each peak, median p99
 * printed; default 1), {@code -De2e.handlers=N} (handler threads, default 8, one per
 * partition), {@code -De2e.commitMs=N} (the consumer's commit interval, default 100) and
 * {@code -De2e.lingerMicros=N} (the producer's linger, default 0) and {@code -De2e.segmentMiB=N} (the topic's
 * segment size, default 1 GiB), for experiments; the recorded figures
 * use the defaults.
 * The full run prints a Markdown table and writes the figures as JSON to
 * {@code ordo-bench/results/log-<date>.json}.
 */
public final class LogBenchmark {

    /** The partitions of every case's topic. */
    static final int PARTITIONS = 8;

    private LogBenchmark() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        Path root = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("ordo-log-bench");
        double scale = args.length > 1 ? Double.parseDouble(args[1]) : 1.0;
        RunDirectories directories = new RunDirectories(root);
        AppendCases append = new AppendCases(directories, scale);
        EndToEndCases endToEnd = new EndToEndCases(directories, append, scale);
        if (args.length > 2 && args[2].equals("e2e")) {
            Report.printHeader(); // in a JVM of its own, so earlier cases leave no garbage behind
            endToEnd.all();
        } else if (args.length > 4 && args[2].equals("paced")) {
            double seconds = args.length > 5 ? Double.parseDouble(args[5]) : 5;
            endToEnd.pacedOnly(Integer.parseInt(args[3]), Double.parseDouble(args[4]), seconds);
        } else if (args.length > 6 && args[2].equals("case")) {
            append.repeat(Integer.parseInt(args[3]), Integer.parseInt(args[4]), args[5], Integer.parseInt(args[6]));
        } else {
            runAll(append, endToEnd, scale);
        }
    }

    /** Every append case, then every end-to-end case; the figures also go to the results file. */
    private static void runAll(AppendCases append, EndToEndCases endToEnd, double scale) throws Exception {
        append.warmUp();
        Report.printHeader();
        List<Figure> figures = new ArrayList<>(append.all());
        Figure peak = figures.stream()
                .filter(f -> f.system().equals("ordo")
                        && f.recordBytes() == 100
                        && f.writers() == 1
                        && f.durability().equals("interval:5ms"))
                .findFirst()
                .orElseThrow();
        figures.addAll(endToEnd.all());
        Report.writeJson(figures, peak, scale);
    }
}
