package dev.ordo.bench.e2e;

import com.sun.management.OperatingSystemMXBean;
import dev.ordo.audit.AuditSync;
import dev.ordo.audit.AuditTrail;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.RecordHandler;
import dev.ordo.engine.Serdes;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.storage.Directories;
import dev.ordo.log.storage.FsyncPolicy;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What an {@link AuditTrail} costs on the consumer path: a group of one on the embedded engine reads
 * {@code RECORDS} records (100 B, 1,000 keys, 4 partitions, in the page cache), KEY ordering on
 * {@code THREADS} handler threads, with a trivial handler (adds the value's length), not audited
 * (baseline) and audited with {@link AuditSync#WRITE} and {@link AuditSync#BUFFERED} ({@code FORCE}, a
 * sync per record, would measure the disk, not the trail). Each round runs every variant once, in turn,
 * on a fresh group; the table gives each variant's median and range of records/s over the rounds (from
 * start until caught up) and the median's cost against the baseline's, and the process's CPU time per
 * record (all its threads: fetchers, handlers, the JIT and the collector alike), which other load on
 * the machine disturbs less than the rate.
 *
 * <pre>
 * java -cp ordo-bench/target/benchmarks.jar dev.ordo.bench.e2e.AuditOverheadBenchmark [RECORDS] [ROUNDS] [THREADS] [HANDLER_US]
 * </pre>
 * {@code HANDLER_US} (default 0) makes the handler spin that many microseconds, as one that computes.
 * Run from the repository's root, the table also goes to {@code ordo-bench/results/audit-<date>.md}.
 */
public final class AuditOverheadBenchmark {

    private static final int KEYS = 1_000;
    private static final int PARTITIONS = 4;
    private static final OperatingSystemMXBean PROCESS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private AuditOverheadBenchmark() {}

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int handlerMicros = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        String table = run(records, rounds, threads, handlerMicros);
        System.out.println(table);
        Path results = Path.of("ordo-bench", "results");
        if (Files.isDirectory(results)) {
            Files.writeString(
                    results.resolve("audit-" + LocalDate.now() + ".md"),
                    table + "\n",
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
    }

    private static String run(int records, int rounds, int threads, int handlerMicros) throws Exception {
        Path dir = Files.createTempDirectory("ordo-audit-bench-");
        Map<String, double[]> rates = new LinkedHashMap<>();
        Map<String, double[]> cpu = new LinkedHashMap<>();
        List<String> variants =
                List.of("not audited", "audited, AuditSync.WRITE (default)", "audited, AuditSync.BUFFERED");
        for (String v : variants) {
            rates.put(v, new double[rounds]);
            cpu.put(v, new double[rounds]);
        }
        try (EmbeddedLog log = EmbeddedLog.open(dir.resolve("data"))) {
            log.createTopic("t", TopicSpec.partitions(PARTITIONS).fsync(FsyncPolicy.none()));
            byte[] value = new byte[100];
            for (int i = 0; i < records; i++) {
                log.append("t", ("key-" + (i % KEYS)).getBytes(StandardCharsets.UTF_8), value);
            }
            consume(log, "warm-up", records, threads, handlerMicros, null); // the JIT and the page cache
            for (int round = 0; round < rounds; round++) {
                for (int v = 0; v < variants.size(); v++) {
                    String variant = variants.get((v + round) % variants.size()); // each goes first in turn
                    AuditSync sync = variant.endsWith("WRITE (default)")
                            ? AuditSync.WRITE
                            : variant.endsWith("BUFFERED") ? AuditSync.BUFFERED : null;
                    long cpuBefore = PROCESS.getProcessCpuTime();
                    double rate = consume(log, "g" + round + "-" + v, records, threads, handlerMicros, sync);
                    double cpuMicros = (PROCESS.getProcessCpuTime() - cpuBefore) / 1e3 / records;
                    rates.get(variant)[round] = rate;
                    cpu.get(variant)[round] = cpuMicros;
                    System.err.printf(
                            "round %d %-36s %,.0f records/s, %.2f us CPU a record%n", round, variant, rate, cpuMicros);
                }
            }
        } finally {
            Directories.deleteRecursively(dir);
        }
        double baseline = median(rates.get(variants.get(0)));
        double baselineCpu = median(cpu.get(variants.get(0)));
        StringBuilder table = new StringBuilder()
                .append("| ")
                .append(String.format("%,d", records))
                .append(" records, ")
                .append(threads)
                .append(" handler threads, handler ")
                .append(handlerMicros == 0 ? "trivial" : handlerMicros + " us of CPU")
                .append(" | records/s, median | range over ")
                .append(rounds)
                .append(" rounds | cost against not audited | CPU us a record, median | range | CPU added |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (String variant : variants) {
            double[] r = rates.get(variant).clone();
            double[] c = cpu.get(variant).clone();
            Arrays.sort(r);
            Arrays.sort(c);
            double median = median(r);
            double cpuMedian = median(c);
            boolean base = variant.equals(variants.get(0));
            table.append(String.format(
                    "| %s | %,.0f | %,.0f - %,.0f | %s | %.2f | %.2f - %.2f | %s |%n",
                    variant,
                    median,
                    r[0],
                    r[r.length - 1],
                    base ? "-" : String.format("%.1f%%", 100 * (1 - median / baseline)),
                    cpuMedian,
                    c[0],
                    c[c.length - 1],
                    base ? "-" : String.format("%+.0f%%", 100 * (cpuMedian / baselineCpu - 1))));
        }
        return table.toString();
    }

    /** Consumes the whole topic with a new group; records/s from start until caught up. */
    private static double consume(
            EmbeddedLog log, String group, int records, int threads, int handlerMicros, AuditSync sync)
            throws Exception {
        Path file = Files.createTempFile("ordo-audit-bench-", ".audit");
        Files.delete(file);
        LongAdder sum = new LongAdder();
        long handlerNanos = handlerMicros * 1_000L;
        RecordHandler<byte[], byte[]> handler = r -> {
            long start = System.nanoTime();
            sum.add(r.value().length);
            while (System.nanoTime() - start < handlerNanos) {
                Thread.onSpinWait(); // the work of a handler that computes
            }
        };
        AuditTrail trail =
                sync == null ? null : AuditTrail.builder(file).sync(sync).open();
        try {
            long start = System.nanoTime();
            try (OrdoConsumer<byte[], byte[]> consumer = OrdoConsumer.builder(log, "t", Serdes.bytes(), Serdes.bytes())
                    .group(group)
                    .ordering(Ordering.KEY)
                    .concurrency(threads)
                    .handler(trail == null ? handler : trail.audit(handler))
                    .start()) {
                if (!consumer.awaitCaughtUp(Duration.ofMinutes(10))) {
                    throw new IllegalStateException("group " + group + " did not catch up within 10 minutes");
                }
                long elapsed = System.nanoTime() - start;
                if (trail != null && trail.entries() != records) {
                    throw new IllegalStateException("audited " + trail.entries() + " of " + records + " records");
                }
                return records * 1e9 / elapsed;
            }
        } finally {
            if (trail != null) {
                trail.close();
            }
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".checkpoints"));
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
