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
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What an {@link AuditTrail} costs on the consumer path: a group of one on the embedded engine reads
 * {@code RECORDS} records (100 B, 1,000 keys, 4 partitions, in the page cache), KEY ordering on
 * {@code THREADS} handler threads, with a trivial handler (adds the value's length), not audited
 * (baseline), audited with {@link AuditSync#WRITE} and {@link AuditSync#BUFFERED} ({@code FORCE}, a
 * sync per record, would measure the disk, not the trail), and not audited but doing the floor of an
 * audit in the handler: the one SHA-256 of an entry's body (as long as this benchmark's, 101 bytes, on a
 * digest of the handler thread's own) and the wall clock read every entry needs, without a trail, a
 * chain or a file. Each round runs every variant once, in turn,
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
        Map<Variant, double[]> rates = new EnumMap<>(Variant.class);
        Map<Variant, double[]> cpu = new EnumMap<>(Variant.class);
        Variant[] variants = Variant.values();
        for (Variant v : variants) {
            rates.put(v, new double[rounds]);
            cpu.put(v, new double[rounds]);
        }
        try (EmbeddedLog log = EmbeddedLog.open(dir.resolve("data"))) {
            log.createTopic("t", TopicSpec.partitions(PARTITIONS).fsync(FsyncPolicy.none()));
            byte[] value = new byte[100];
            for (int i = 0; i < records; i++) {
                log.append("t", ("key-" + (i % KEYS)).getBytes(StandardCharsets.UTF_8), value);
            }
            consume(log, "warm-up", records, threads, handlerMicros, Variant.NOT_AUDITED); // the JIT, the page cache
            for (int round = 0; round < rounds; round++) {
                for (int v = 0; v < variants.length; v++) {
                    Variant variant = variants[(v + round) % variants.length]; // each goes first in turn
                    long cpuBefore = PROCESS.getProcessCpuTime();
                    double rate = consume(log, "g" + round + "-" + v, records, threads, handlerMicros, variant);
                    double cpuMicros = (PROCESS.getProcessCpuTime() - cpuBefore) / 1e3 / records;
                    rates.get(variant)[round] = rate;
                    cpu.get(variant)[round] = cpuMicros;
                    System.err.printf(
                            "round %d %-36s %,.0f records/s, %.2f us CPU a record%n",
                            round, variant.label, rate, cpuMicros);
                }
            }
        } finally {
            Directories.deleteRecursively(dir);
        }
        double baseline = median(rates.get(Variant.NOT_AUDITED));
        double baselineCpu = median(cpu.get(Variant.NOT_AUDITED));
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
        for (Variant variant : variants) {
            double[] r = rates.get(variant).clone();
            double[] c = cpu.get(variant).clone();
            Arrays.sort(r);
            Arrays.sort(c);
            double median = median(r);
            double cpuMedian = median(c);
            boolean base = variant == Variant.NOT_AUDITED;
            table.append(String.format(
                    "| %s | %,.0f | %,.0f - %,.0f | %s | %.2f | %.2f - %.2f | %s |%n",
                    variant.label,
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

    /** What the consumer's path does besides the handler. */
    private enum Variant {
        NOT_AUDITED("not audited", null),
        FLOOR("not audited, an entry's floor in the handler", null),
        WRITE("audited, AuditSync.WRITE (default)", AuditSync.WRITE),
        BUFFERED("audited, AuditSync.BUFFERED", AuditSync.BUFFERED);

        final String label;
        final AuditSync sync;

        Variant(String label, AuditSync sync) {
            this.label = label;
            this.sync = sync;
        }
    }

    /**
     * The floor of one entry, on a handler thread: its time, and one SHA-256 of a body of its length (93
     * fixed bytes, the topic "t" and a key "key-123") into a hash, with the thread's own digest and arrays.
     */
    private static final class Floor {
        private static final ThreadLocal<Floor> OF_THREAD = ThreadLocal.withInitial(Floor::new);

        private final MessageDigest sha;
        private final byte[] body = new byte[93 + 1 + 7];
        private final byte[] hash = new byte[32];

        private Floor() {
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        static void entry() {
            Floor floor = OF_THREAD.get();
            long now = System.currentTimeMillis();
            floor.body[0] = (byte) now;
            floor.sha.update(floor.body);
            try {
                floor.sha.digest(floor.hash, 0, floor.hash.length);
            } catch (DigestException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Consumes the whole topic with a new group; records/s from start until caught up. */
    private static double consume(
            EmbeddedLog log, String group, int records, int threads, int handlerMicros, Variant variant)
            throws Exception {
        Path file = Files.createTempFile("ordo-audit-bench-", ".audit");
        Files.delete(file);
        LongAdder sum = new LongAdder();
        long handlerNanos = handlerMicros * 1_000L;
        boolean floor = variant == Variant.FLOOR;
        RecordHandler<byte[], byte[]> handler = r -> {
            long start = System.nanoTime();
            sum.add(r.value().length);
            while (System.nanoTime() - start < handlerNanos) {
                Thread.onSpinWait(); // the work of a handler that computes
            }
            if (floor) {
                Floor.entry();
            }
        };
        AuditTrail trail = variant.sync == null
                ? null
                : AuditTrail.builder(file).sync(variant.sync).open();
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
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".tail"));
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
