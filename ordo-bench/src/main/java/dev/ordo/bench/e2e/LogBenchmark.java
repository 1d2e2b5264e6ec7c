package dev.ordo.bench.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ordo.engine.Acknowledgement;
import dev.ordo.engine.Ordering;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.OrdoConsumer;
import dev.ordo.log.engine.OrdoProducer;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.storage.Directories;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

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
 *       it can for 8 s, long enough for the disk rather than the page cache to set the pace), then
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
 * java -Xms2g -Xmx2g -XX:+AlwaysPreTouch -XX:+UseTransparentHugePages --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
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
 * run the first), {@code -De2e.peakSeconds=S} (how long the peak run sends, default 40; 0 for the
 * fixed counts of earlier sessions), {@code -De2e.sustainFromSeconds=S} (the peak's rate counts from
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

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARTITIONS = 8;
    /**
     * Ordo's send-to-acknowledgement latency is recorded for one record in this many (a callback per
     * record would add its own cost to the sender thread that Chronicle Queue, which has no
     * acknowledgement, does not pay); throughput still runs to the last acknowledgement.
     */
    private static final int ACK_SAMPLE = 64;
    /**
     * With -De2e.timeline=true, paced runs also print the largest latency of each 100 ms of scheduled
     * send time, and how far the sender fell behind its schedule (to tell warm-up, stalls and backlog apart).
     */
    private static final java.util.concurrent.atomic.AtomicLongArray TIMELINE =
            Boolean.getBoolean("e2e.timeline") ? new java.util.concurrent.atomic.AtomicLongArray(3_000) : null;

    private static final long TIMELINE_SLOT_NANOS = Long.getLong("e2e.timelineSlotMs", 100) * 1_000_000L;
    /**
     * The end-to-end topic's fsync policies (-De2e.fsync, comma-separated, each none|every-batch|interval:Nms):
     * the full and {@code e2e} runs measure each; a {@code paced} run the first.
     */
    private static final List<String> E2E_FSYNC = List.of(
            System.getProperty("e2e.fsync", "none,interval:5ms,every-batch").split(","));
    /**
     * With -De2e.stages=true, paced runs also print where the latency arises: send to acknowledgement
     * (the producer's side) of every 16th record, and the consumer's records in flight (handed to the
     * handlers, not finished) sampled every millisecond by the sending thread.
     */
    private static final boolean STAGES = Boolean.getBoolean("e2e.stages");
    /** The end-to-end record sizes (-De2e.sizes, comma-separated bytes; default 100,1024). */
    private static final int[] E2E_SIZES = java.util.Arrays.stream(
                    System.getProperty("e2e.sizes", "100,1024").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    /**
     * How long the unpaced end-to-end run that measures the peak sends (-De2e.peakSeconds, times the
     * scale; 0 for the fixed record counts used up to session 7: 1 M of 100 B, 300 k of 1 KiB). Its
     * rate is taken from {@link #SUSTAIN_FROM_SECONDS} on: until then the records land in the page
     * cache (Linux starts writing back at 10% of memory dirty, 2.4 GB here, and throttles writers at
     * 20%), and a rate measured over the first 8 s (sessions 8-9) was a burst the disk does not
     * sustain: 1 KiB records paced at half of it (336 MB/s) fell behind after 15 s, latency rising to 1.5 s.
     */
    private static final double PEAK_SECONDS = Double.parseDouble(System.getProperty("e2e.peakSeconds", "40"));
    /** From when the peak run's rate counts (-De2e.sustainFromSeconds, times the scale): once writeback runs. */
    private static final double SUSTAIN_FROM_SECONDS =
            Double.parseDouble(System.getProperty("e2e.sustainFromSeconds", "20"));
    /**
     * How long each paced run at 50% of peak lasts (-De2e.pacedSeconds, times the scale): long enough
     * to include the kernel's writeback of what it writes (5 s runs, up to session 9, ended before it).
     */
    private static final double PACED_SECONDS = Double.parseDouble(System.getProperty("e2e.pacedSeconds", "30"));
    /**
     * How long the paced runs after a peak run are preceded by one at their rate, not recorded
     * (-De2e.pacedWarmupSeconds, times the scale). With 2 s (until session 11) the first of three paced
     * runs was the worst in 11 of 16 cases of two full runs, presumably still paying for the 40 s
     * unpaced run (the JIT meeting small batches again, the disk after 9-15 GB). Two pairs, 100 B, interval:100ms: first paced run p99
     * 7.8 and 59.6 ms after 2 s, 4.2 and 4.0 ms after 15 s (the other runs 3.5-6.0 ms either way).
     */
    private static final double PACED_WARMUP_SECONDS =
            Double.parseDouble(System.getProperty("e2e.pacedWarmupSeconds", "15"));
    /**
     * How many paced runs at 50% of peak follow each peak (-De2e.repeats, default 1); with more, the
     * median p99 is printed too: on the benchmark VM one configuration's p99 varies 2x from run to run.
     */
    private static final int E2E_REPEATS = Integer.getInteger("e2e.repeats", 1);
    /** The end-to-end consumer's handler threads (-De2e.handlers), one per partition by default. */
    private static final int E2E_HANDLERS = Integer.getInteger("e2e.handlers", PARTITIONS);
    /** The end-to-end consumer's commit interval (-De2e.commitMs), the consumer's default (100 ms) by default. */
    private static final Duration E2E_COMMIT = Duration.ofMillis(Long.getLong("e2e.commitMs", 100));
    /** The end-to-end producer's linger (-De2e.lingerMicros), none by default. */
    private static final Duration E2E_LINGER = Duration.ofNanos(Long.getLong("e2e.lingerMicros", 0) * 1_000);
    /** The end-to-end topic's segment size (-De2e.segmentMiB), the topic default (1 GiB) by default. */
    private static final Integer E2E_SEGMENT_MIB = Integer.getInteger("e2e.segmentMiB");

    private final Path root;
    private final double scale;

    private LogBenchmark(Path root, double scale) {
        this.root = root;
        this.scale = scale;
    }

    /**
     * One measured case: what ran, records per second, latency percentiles in microseconds; for paced
     * end-to-end runs also the p99 of the records scheduled after the first second, which leaves out
     * start-up (the JIT recompiling paths the warm-up did not take).
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
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        Path root = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("ordo-log-bench");
        double scale = args.length > 1 ? Double.parseDouble(args[1]) : 1.0;
        LogBenchmark benchmark = new LogBenchmark(root, scale);
        if (args.length > 2 && args[2].equals("e2e")) {
            benchmark.endToEndOnly(); // in a JVM of its own, so earlier cases leave no garbage behind
        } else if (args.length > 4 && args[2].equals("paced")) {
            int size = Integer.parseInt(args[3]);
            benchmark.warmUpEndToEnd(size);
            double rate = Double.parseDouble(args[4]);
            double seconds = args.length > 5 ? Double.parseDouble(args[5]) : 5;
            String fsync = E2E_FSYNC.get(0);
            benchmark.endToEnd(size, fsync, rate, (long) (rate * 2)); // warm-up at the measured rate
            printHeader();
            print(benchmark.endToEnd(size, fsync, rate, (long) (rate * seconds)));
        } else if (args.length > 6 && args[2].equals("case")) {
            benchmark.oneCase(Integer.parseInt(args[3]), Integer.parseInt(args[4]), args[5], Integer.parseInt(args[6]));
        } else {
            benchmark.runAll();
        }
    }

    private void endToEndOnly() throws Exception {
        printHeader();
        endToEndCases();
    }

    /**
     * One append case repeated, Ordo and Chronicle Queue at matched durability taking turns, so a
     * difference can be judged against the spread of the repetitions (median printed last).
     */
    private void oneCase(int size, int writers, String fsync, int repetitions) throws Exception {
        long records = (long) ((size == 100 ? 2_000_000 : 400_000) * scale);
        boolean sync = !fsync.equals("none");
        for (int w = 0; w < 2; w++) { // warm-up: the first full-size run of a fresh JVM is still compiling
            ordoAppend(size, writers, fsync, records);
            chronicle(size, writers, sync, records);
        }
        printHeader();
        double[] ordo = new double[repetitions];
        double[] chronicle = new double[repetitions];
        for (int r = 0; r < repetitions; r++) {
            ordo[r] = print(ordoAppend(size, writers, fsync, records)).recordsPerSecond();
            chronicle[r] = print(chronicle(size, writers, sync, records)).recordsPerSecond();
        }
        java.util.Arrays.sort(ordo);
        java.util.Arrays.sort(chronicle);
        System.out.printf(
                Locale.ROOT,
                "median of %d: ordo %,.0f records/s (%,.0f-%,.0f), chronicle %,.0f (%,.0f-%,.0f)%n",
                repetitions,
                ordo[repetitions / 2],
                ordo[0],
                ordo[repetitions - 1],
                chronicle[repetitions / 2],
                chronicle[0],
                chronicle[repetitions - 1]);
    }

    /**
     * Runs the producer-to-handler path (not only the producer) until the JIT has compiled it: a
     * measured run in a cold JVM spends its first second at ten times its later latency. Each paced
     * measurement is also preceded by a run at its own rate (see {@link #PACED_WARMUP_SECONDS}; a
     * {@code paced} run: 2 s), as JMH warms up on the measured workload:
     * warmed at another rate, the code met new branch profiles in the measured run, and a scheduler
     * trace showed a handler thread running 15 ms straight while a C2 compiler thread held the other
     * CPU (recompiling), with every other thread waiting.
     */
    private void warmUpEndToEnd(int size) throws Exception {
        ordoAppend(size, 1, "none", (long) (200_000 * scale));
        for (int i = 0; i < 2; i++) {
            endToEnd(size, E2E_FSYNC.get(0), 0, (long) (300_000 * scale));
            endToEnd(size, E2E_FSYNC.get(0), 100_000, (long) (200_000 * scale));
        }
    }

    /**
     * For each record size and fsync policy: peak end to end (as fast as the producer sends and the
     * consumer keeps up), then half of it, paced.
     */
    private List<Figure> endToEndCases() throws Exception {
        List<Figure> figures = new ArrayList<>();
        for (int size : E2E_SIZES) {
            warmUpEndToEnd(size);
            for (String fsync : E2E_FSYNC) {
                // Long enough for the rate to be one the disk sustains: a short burst (1 M records of
                // 100 B took 0.4-0.6 s, 300 k of 1 KiB 0.3 s) lands in the page cache, and half of it
                // was more than the disk takes for 1 KiB records.
                Figure max = print(
                        PEAK_SECONDS > 0
                                ? endToEnd(size, fsync, 0, Long.MAX_VALUE, (long) (PEAK_SECONDS * 1e9 * scale), (long)
                                        (SUSTAIN_FROM_SECONDS * 1e9 * scale))
                                : endToEnd(size, fsync, 0, (long) ((size == 100 ? 1_000_000 : 300_000) * scale)));
                figures.add(max);
                double half = max.recordsPerSecond() / 2;
                endToEnd(size, fsync, half, (long)
                        (half * PACED_WARMUP_SECONDS)); // warm-up at the measured rate (see warmUpEndToEnd)
                double[] p99s = new double[E2E_REPEATS];
                for (int r = 0; r < E2E_REPEATS; r++) {
                    Figure paced = print(endToEnd(size, fsync, half, (long) (half * PACED_SECONDS * scale)));
                    figures.add(paced);
                    p99s[r] = paced.p99Micros();
                }
                if (E2E_REPEATS > 1) {
                    java.util.Arrays.sort(p99s);
                    System.out.printf(
                            Locale.ROOT,
                            "%d B, %s at 50%% of peak: median p99 of %d runs %,.0f us (%,.0f-%,.0f)%n",
                            size,
                            fsync,
                            E2E_REPEATS,
                            p99s[E2E_REPEATS / 2],
                            p99s[0],
                            p99s[E2E_REPEATS - 1]);
                }
            }
        }
        return figures;
    }

    private static void printHeader() {
        System.out.println(
                "| system | durability | record | writers | records/s | MB/s | p50 us | p99 us | p99.9 us | p99 after 1 s, us |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    }

    private void runAll() throws Exception {
        // Warm the JIT on both systems and both sizes before anything is recorded.
        for (int size : new int[] {100, 1024}) {
            ordoAppend(size, 1, "none", (long) (200_000 * scale));
            chronicle(size, 1, false, (long) (200_000 * scale));
        }
        List<Figure> figures = new ArrayList<>();
        printHeader();
        for (int size : new int[] {100, 1024}) {
            long records = (long) ((size == 100 ? 2_000_000 : 400_000) * scale);
            for (int writers : new int[] {1, 8}) {
                for (String fsync : new String[] {"none", "interval:5ms", "every-batch"}) {
                    figures.add(print(ordoAppend(size, writers, fsync, records)));
                }
                figures.add(print(chronicle(size, writers, false, records)));
                figures.add(print(chronicle(size, writers, true, records)));
            }
            for (String force : new String[] {"none", "interval:5ms", "every-chunk"}) {
                figures.add(print(raw(size, records, force)));
            }
        }
        Figure peak = figures.stream()
                .filter(f -> f.system().equals("ordo")
                        && f.recordBytes() == 100
                        && f.writers() == 1
                        && f.durability().equals("interval:5ms"))
                .findFirst()
                .orElseThrow();
        figures.addAll(endToEndCases());
        Path out = Path.of("ordo-bench", "results", "log-" + java.time.LocalDate.now() + ".json");
        if (Files.isDirectory(out.getParent())) {
            ObjectNode doc = JSON.createObjectNode();
            doc.put("java", System.getProperty("java.version"));
            doc.put("processors", Runtime.getRuntime().availableProcessors());
            doc.put("scale", scale);
            doc.put("peak100BIntervalRecordsPerSecond", peak.recordsPerSecond());
            doc.set("figures", JSON.valueToTree(figures));
            JSON.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), doc);
            System.out.println("written to " + out);
        }
    }

    private static Figure print(Figure f) {
        System.out.printf(
                Locale.ROOT,
                "| %s | %s | %d B | %d | %,.0f | %,.0f | %s | %s | %s | %s |%n",
                f.system(),
                f.durability(),
                f.recordBytes(),
                f.writers(),
                f.recordsPerSecond(),
                f.megabytesPerSecond(),
                micros(f.p50Micros()),
                micros(f.p99Micros()),
                micros(f.p999Micros()),
                micros(f.steadyP99Micros()));
        return f;
    }

    private static String micros(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%,.0f", value);
    }

    /** Writers on their own threads, each with its own producer, sending {@code records / writers} records. */
    private Figure ordoAppend(int size, int writers, String fsync, long records) throws Exception {
        Path dir = freshDir("ordo");
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            log.createTopic(
                    "bench",
                    TopicSpec.partitions(PARTITIONS)
                            .fsync(TopicSpec.parseFsync(fsync))
                            .segmentBytes(256 << 20));
            long perWriter = records / writers;
            Histogram[] latencies = new Histogram[writers];
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            AtomicLong lastAck = new AtomicLong();
            for (int w = 0; w < writers; w++) {
                // Callbacks run on the sender thread, or on the writer's if the ack came first: concurrent.
                Histogram histogram = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
                latencies[w] = histogram;
                OrdoProducer producer = OrdoProducer.builder(log, "bench").build();
                int writer = w;
                threads.add(new Thread(
                        () -> {
                            byte[] value = new byte[size];
                            byte[][] keys = keys(writer);
                            try {
                                start.await();
                                for (long i = 0; i < perWriter; i++) {
                                    if ((i & (ACK_SAMPLE - 1)) == 0) {
                                        long sent = System.nanoTime();
                                        producer.send(keys[(int) (i & 63)], value)
                                                .thenRun(() -> histogram.recordValue(System.nanoTime() - sent));
                                    } else {
                                        producer.send(keys[(int) (i & 63)], value);
                                    }
                                }
                                producer.close(); // returns once every record is acknowledged
                                lastAck.accumulateAndGet(System.nanoTime(), Math::max);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "writer-" + w));
            }
            long begin = runAll(threads, start);
            return figure("ordo", fsync, size, writers, perWriter * writers, lastAck.get() - begin, merge(latencies));
        } finally {
            discard(dir);
        }
    }

    /** Chronicle Queue appenders (one per thread), page cache only or with a forced {@code sync()} every 5 ms. */
    private Figure chronicle(int size, int writers, boolean periodicSync, long records) throws Exception {
        Path dir = freshDir("chronicle");
        // appender.sync() is msync(MS_ASYNC) by default, which on Linux writes nothing: SyncMode.SYNC
        // (msync(MS_SYNC)) is what makes the periodic sync a force to disk, matching Ordo's interval policy.
        try (ChronicleQueue queue = periodicSync
                ? ChronicleQueue.singleBuilder(dir).syncMode(SyncMode.SYNC).build()
                : ChronicleQueue.singleBuilder(dir).build()) {
            long perWriter = records / writers;
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            Histogram[] latencies = new Histogram[writers];
            long syncEvery = TimeUnit.MILLISECONDS.toNanos(5);
            for (int w = 0; w < writers; w++) {
                Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
                latencies[w] = histogram;
                threads.add(new Thread(
                        () -> {
                            Bytes<?> value = Bytes.allocateElasticDirect(size);
                            value.write(new byte[size]);
                            try (ExcerptAppender appender = queue.createAppender()) {
                                start.await();
                                long lastSync = System.nanoTime();
                                for (long i = 0; i < perWriter; i++) {
                                    long sent = System.nanoTime();
                                    appender.writeBytes(value);
                                    long now = System.nanoTime();
                                    if (periodicSync && now - lastSync >= syncEvery) {
                                        appender.sync();
                                        lastSync = now = System.nanoTime();
                                    }
                                    histogram.recordValue(now - sent);
                                }
                                if (periodicSync) {
                                    appender.sync();
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            } finally {
                                value.releaseLast();
                            }
                        },
                        "chronicle-" + w));
            }
            long begin = runAll(threads, start);
            return figure(
                    "chronicle-queue",
                    periodicSync ? "msync(MS_SYNC) every 5 ms" : "page cache (default)",
                    size,
                    writers,
                    perWriter * writers,
                    System.nanoTime() - begin,
                    merge(latencies));
        } finally {
            discard(dir);
        }
    }

    /** The physical limit: the same payload bytes written sequentially in 1 MiB chunks. */
    private Figure raw(int size, long records, String force) throws IOException {
        Path dir = freshDir("raw");
        try (FileChannel channel =
                FileChannel.open(dir.resolve("raw.bin"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
            long total = records * size;
            long forceEvery = TimeUnit.MILLISECONDS.toNanos(5);
            long begin = System.nanoTime();
            long lastForce = begin;
            for (long written = 0; written < total; ) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), total - written));
                while (chunk.hasRemaining()) {
                    written += channel.write(chunk);
                }
                long now = System.nanoTime();
                if (force.equals("every-chunk") || (force.equals("interval:5ms") && now - lastForce >= forceEvery)) {
                    channel.force(false);
                    lastForce = System.nanoTime();
                }
            }
            if (!force.equals("none")) {
                channel.force(false);
            }
            long elapsed = System.nanoTime() - begin;
            return new Figure(
                    "raw FileChannel",
                    force,
                    size,
                    1,
                    records,
                    records * 1e9 / elapsed,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN);
        } finally {
            discard(dir);
        }
    }

    /**
     * One producer sends {@code total} records to a topic with the given fsync policy, at
     * {@code rate} records/s (paced in about 1 ms steps) or, with rate 0, as fast as it can; a consumer
     * group (PARTITION ordering) handles them. Latency runs from each record's scheduled send time, or
     * its actual send when that was earlier (written into its value, so a stalled sender is not
     * hidden), to its handler call; throughput from the first send to the last handler call.
     */
    private Figure endToEnd(int size, String fsync, double rate, long total) throws Exception {
        return endToEnd(size, fsync, rate, total, 0, 0);
    }

    /**
     * As above, but sending stops after {@code sendForNanos} (if positive) when not all were sent, and
     * the throughput counts only the records handled from {@code rateFromNanos} (if positive) on.
     */
    private Figure endToEnd(int size, String fsync, double rate, long total, long sendForNanos, long rateFromNanos)
            throws Exception {
        Path dir = freshDir("e2e");
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            TopicSpec spec = TopicSpec.partitions(PARTITIONS).fsync(TopicSpec.parseFsync(fsync));
            log.createTopic("e2e", E2E_SEGMENT_MIB == null ? spec : spec.segmentBytes(E2E_SEGMENT_MIB << 20));
            // Recorded by each handler thread into a tally of its own (merged at the end), so that the
            // harness's own contention does not weigh on what it measures: shared concurrent
            // histograms made the handler threads fight over their min/max fields (JFR at 500 k
            // records/s: the harness's recording was the top frame), and a shared counter of handled
            // records was one more contended atomic per record.
            List<Tally> tallies = new java.util.concurrent.CopyOnWriteArrayList<>();
            ThreadLocal<Tally> mine = ThreadLocal.withInitial(() -> {
                Tally tally = new Tally();
                tallies.add(tally);
                return tally;
            });
            long[] start = {Long.MAX_VALUE}; // set when sending begins
            OrdoConsumer consumer = OrdoConsumer.builder(log, "e2e")
                    .group("bench")
                    .ordering(Ordering.PARTITION)
                    .concurrency(E2E_HANDLERS)
                    .commitInterval(E2E_COMMIT)
                    .handler(r -> {
                        long scheduled = ByteBuffer.wrap(r.record().value()).getLong(0);
                        long now = System.nanoTime();
                        Tally own = mine.get();
                        own.all.recordValue(Math.max(0, now - scheduled));
                        if (scheduled - start[0] >= 1_000_000_000L) {
                            own.steady.recordValue(Math.max(0, now - scheduled));
                        }
                        if (TIMELINE != null && rate > 0) {
                            int slot = (int) Math.min(
                                    TIMELINE.length() - 1, Math.max(0, (scheduled - start[0]) / TIMELINE_SLOT_NANOS));
                            TIMELINE.accumulateAndGet(slot, now - scheduled, Math::max);
                        }
                        own.handled(now);
                    })
                    .start();
            Histogram sendLag = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            Histogram acked = new Histogram(TimeUnit.SECONDS.toNanos(60), 3); // recorded by the sender thread only
            Histogram inFlight = new Histogram(3);
            long nextSample = 0;
            // The clock starts with the pipeline in place, as in Kafka's end-to-end latency tool: the
            // producer built and the consumer owning every partition. Before, the first records
            // waited for the group's first assignment and the producer's start (15-35 ms at the
            // start of every run in 10 ms timelines: part of the p99 at 50% of peak).
            OrdoProducer producer =
                    OrdoProducer.builder(log, "e2e").linger(E2E_LINGER).build();
            long joinDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (consumer.assignment().size() < PARTITIONS) {
                if (System.nanoTime() > joinDeadline) {
                    throw new IllegalStateException("consumer was not assigned every partition within 30 s");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            long begin = System.nanoTime();
            long cpuAtBegin = processCpuNanos();
            start[0] = begin;
            if (TIMELINE != null) {
                for (int i = 0; i < TIMELINE.length(); i++) {
                    TIMELINE.set(i, 0); // this run's only
                }
            }
            double recordsPerBatch;
            long sent = total;
            long handledAtRateFrom = -1; // records handled when the rate starts counting, and when that was
            long rateFromAt = 0;
            try (producer) {
                byte[][] keys = keys(0);
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
                        handledAtRateFrom = handled(tallies);
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
                        if ((i & 15) == 0) {
                            ack.whenComplete((a, e) -> acked.recordValue(Math.max(0, System.nanoTime() - stamp)));
                        }
                        if (now >= nextSample) {
                            inFlight.recordValue(consumer.handlerStats().inFlight());
                            nextSample = now + 1_000_000;
                        }
                    }
                    if (TIMELINE != null && rate > 0) {
                        sendLag.recordValue(Math.max(0, now - scheduled));
                    }
                }
                producer.flush();
                recordsPerBatch = producer.recordsWritten() / (double) Math.max(1, producer.batchesWritten());
            }
            if (TIMELINE != null && rate > 0) {
                awaitHandled(tallies, sent);
                // The JVM uptime at the first slot, to line the slots up with -Xlog (gc, safepoint, jit) output,
                // and its System.nanoTime (CLOCK_MONOTONIC), for perf record -k CLOCK_MONOTONIC traces.
                long firstSlotUptimeMillis = java.lang.management.ManagementFactory.getRuntimeMXBean()
                                .getUptime()
                        - (System.nanoTime() - begin) / 1_000_000;
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
            if (TIMELINE != null && rate > 0) {
                System.err.printf(
                        Locale.ROOT,
                        "send lag behind schedule: p50 %,d us, p99 %,d us, max %,d us%n",
                        sendLag.getValueAtPercentile(50) / 1000,
                        sendLag.getValueAtPercentile(99) / 1000,
                        sendLag.getMaxValue() / 1000);
            }
            if (STAGES && rate > 0) { // the producer is closed: its sender's recordings are all in
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
            long lastConsumed = awaitHandled(tallies, sent);
            consumer.close();
            // Every record was recorded before its count: the counts, read with acquire, show them all.
            Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            Histogram steady = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            for (Tally tally : tallies) {
                latency.add(tally.all);
                steady.add(tally.steady);
            }
            // CPU the whole process used while the run lasted, in cores: how close the machine was to saturation.
            double cores = (processCpuNanos() - cpuAtBegin) / (double) (System.nanoTime() - begin);
            String label = fsync
                    + (rate > 0
                            ? String.format(Locale.ROOT, ", paced at %,.0f/s (50%% of peak)", rate)
                            : ", peak (unpaced)")
                    + String.format(
                            Locale.ROOT,
                            ", %.0f records/batch, CPU %.1f of %d cores",
                            recordsPerBatch,
                            cores,
                            Runtime.getRuntime().availableProcessors());
            // The rate counts the records handled from rateFromNanos on, if that came, else all of them.
            boolean window = handledAtRateFrom >= 0;
            if (window) {
                label += String.format(Locale.ROOT, ", rate from %.0f s to the end", (rateFromAt - begin) / 1e9);
            }
            Figure f = figure(
                    "ordo end-to-end",
                    label,
                    size,
                    1,
                    window ? sent - handledAtRateFrom : sent,
                    lastConsumed - (window ? rateFromAt : begin),
                    latency);
            return new Figure(
                    f.system(),
                    f.durability(),
                    size,
                    1,
                    sent,
                    f.recordsPerSecond(),
                    f.p50Micros(),
                    f.p99Micros(),
                    f.p999Micros(),
                    rate > 0 ? steady.getValueAtPercentile(99) / 1e3 : Double.NaN);
        } finally {
            discard(dir);
        }
    }

    /**
     * One end-to-end handler thread's recordings: its latencies (all, and from the second second on),
     * how many records it handled and when it handled the last. Written by its thread only; the count
     * is published with a release store (no fence, no shared line) after the rest.
     */
    private static final class Tally {
        final Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final Histogram steady = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        private final AtomicLong count = new AtomicLong();
        private long lastNanos;

        void handled(long now) {
            lastNanos = now;
            count.lazySet(count.get() + 1);
        }
    }

    /** Records the handlers have handled so far (each tally's count read with acquire). */
    private static long handled(List<Tally> tallies) {
        long handled = 0;
        for (Tally tally : tallies) {
            handled += tally.count.get();
        }
        return handled;
    }

    /**
     * Waits (polling every 100 us, on the producing thread, which is done) until the handlers handled
     * {@code records}; returns when the last of them was handled.
     */
    private static long awaitHandled(List<Tally> tallies, long records) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            long handled = handled(tallies); // acquire: lastNanos and the histograms written before are seen
            if (handled >= records) {
                long last = 0;
                for (Tally tally : tallies) {
                    last = Math.max(last, tally.lastNanos);
                }
                return last;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "consumer handled " + handled + " of " + records + " records in 2 minutes");
            }
            LockSupport.parkNanos(100_000);
        }
    }

    /** CPU time used by this process so far (all threads, user and system), in nanoseconds. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Starts the writers, releases them at once and waits for them; returns the release time. */
    private static long runAll(List<Thread> threads, CountDownLatch start) throws InterruptedException {
        threads.forEach(Thread::start);
        long begin = System.nanoTime();
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        return begin;
    }

    private static Histogram merge(Histogram[] histograms) {
        Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        for (Histogram h : histograms) {
            all.add(h);
        }
        return all;
    }

    private static Figure figure(
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

    /** 64 keys per writer, spread over the partitions. */
    private static byte[][] keys(int writer) {
        byte[][] keys = new byte[64][];
        for (int k = 0; k < keys.length; k++) {
            keys[k] = ("writer-" + writer + "-key-" + k).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        return keys;
    }

    /**
     * Deletes a run's files, then waits for the file system to settle ({@code sync -f}) so that the next
     * run does not pay for this one: the benchmark disk is mounted with {@code discard}, so ext4 trims the
     * freed blocks (up to 13 GB after a peak run) in the journal commits that follow, and the next run's
     * first seconds (its forces above all) waited for them. Without {@code sync} (not Linux) it goes on at once.
     */
    private void discard(Path dir) throws IOException {
        Directories.deleteRecursively(dir);
        try {
            Process sync = new ProcessBuilder("sync", "-f", root.toString())
                    .redirectErrorStream(true)
                    .start();
            sync.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            sync.waitFor(5, TimeUnit.MINUTES);
        } catch (IOException e) {
            // no sync command: nothing to wait for
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Path freshDir(String name) throws IOException {
        Path dir = root.resolve(name + "-" + System.nanoTime());
        Files.createDirectories(dir);
        return dir;
    }
}
