package dev.ordo.bench.e2e;

import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.kafka.EmbeddedKafka;
import dev.ordo.kafka.KafkaOrdoConsumer;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import dev.ordo.log.storage.Directories;
import dev.ordo.migrate.TopicMigration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * What moving a live topic from the embedded engine to Kafka ({@link TopicMigration}) costs, with the
 * baseline measured in the same run:
 *
 * <ol>
 *   <li><b>Copy</b>: a backlog of {@code RECORDS} records (100 B, 1,000 keys, 8 partitions) is copied to
 *       Kafka while a producer sends as many again through the migration; the copy's rate, and the
 *       producer's rate against the same producer on a topic no migration reads (baseline).</li>
 *   <li><b>Switch</b>: a producer paced at 5,000 records/s sends through the switch and a group of one
 *       (KEY, 16 handler threads) applies throughout; the producer's pause, the hand-over's time, and the
 *       longest wait each key sees between two of its records handled, across the switch, against the
 *       same measure over a window as long before it (baseline).</li>
 * </ol>
 *
 * <pre>
 * java -cp ordo-bench/target/benchmarks.jar dev.ordo.bench.e2e.MigrationBenchmark [RECORDS] [BOOTSTRAP]
 * </pre>
 * Without {@code BOOTSTRAP} a broker is started in a child JVM. Run from the repository's root, the table also
 * goes to {@code ordo-bench/results/migration-<date>.md}.
 */
public final class MigrationBenchmark {

    private static final int KEYS = 1_000;
    private static final byte[] VALUE = new byte[100];
    private static final long PACE_NANOS = TimeUnit.SECONDS.toNanos(1) / 5_000;

    /** Per key: when its last record was handled, and the longest wait between two within the window. */
    private final AtomicLongArray lastHandled = new AtomicLongArray(KEYS);

    private final AtomicLongArray longestWait = new AtomicLongArray(KEYS);
    /** When the first record was handled on the target. */
    private final AtomicLong firstOnTarget = new AtomicLong();

    private volatile boolean measuring;

    private MigrationBenchmark() {}

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 400_000;
        if (args.length > 1) {
            System.out.println(new MigrationBenchmark().run(records, args[1]));
            return;
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            String table = new MigrationBenchmark().run(records, kafka.bootstrapServers());
            System.out.println(table);
            Path results = Path.of("ordo-bench", "results");
            if (Files.isDirectory(results)) {
                Files.writeString(results.resolve("migration-" + LocalDate.now() + ".md"), table);
            }
        }
    }

    private String run(int records, String bootstrap) throws Exception {
        Path dir = Files.createTempDirectory("ordo-migration-bench-");
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            log.createTopic("baseline", TopicSpec.partitions(8));
            log.createTopic("moving", TopicSpec.partitions(8));
            double baseline;
            try (OrdoProducer<String, byte[]> producer = OrdoProducer.builder(
                            log, "baseline", Serdes.string(), Serdes.bytes())
                    .build()) {
                baseline = sendAll(producer, 0, records);
            }
            try (OrdoProducer<String, byte[]> producer = OrdoProducer.builder(
                            log, "moving", Serdes.string(), Serdes.bytes())
                    .build()) {
                sendAll(producer, 0, records); // the backlog
            }
            RecordConsumer member = member(OrdoConsumer.builder(log, "moving", Serdes.string(), Serdes.bytes()))
                    .start();
            try (TopicMigration migration = TopicMigration.fromEmbedded(log, "moving")
                    .toKafka(bootstrap)
                    .start()) {
                RecordProducer<String, byte[]> producer = migration.producer(Serdes.string(), Serdes.bytes());
                long start = System.nanoTime();
                double during = sendAll(producer, records, records);
                migration.awaitCopied(Duration.ofMinutes(10));
                double copyRate = migration.copied() / seconds(System.nanoTime() - start);

                paced(producer, 2 * records, TimeUnit.SECONDS.toNanos(3)); // steady before the window
                resetWaits();
                measuring = true;
                long windowStart = System.nanoTime();
                Thread pacer = new Thread(() -> paced(producer, 3 * records, TimeUnit.SECONDS.toNanos(6)));
                pacer.start();
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
                long switchStart = System.nanoTime();
                migration.switchOver();
                long switched = System.nanoTime();
                List<RecordConsumer> onKafka = migration.handOver(
                        "bench",
                        List.of(member),
                        () -> member(KafkaOrdoConsumer.builder(bootstrap, "moving", Serdes.string(), Serdes.bytes()))
                                .handler(r -> {
                                    firstOnTarget.compareAndSet(0, System.nanoTime());
                                    handled(r.key());
                                }),
                        Duration.ofMinutes(1));
                long handedOver = System.nanoTime();
                long joined = awaitAssigned(onKafka.get(0), 8);
                pacer.join();
                measuring = false;
                long[] across = waits();
                long window = System.nanoTime() - windowStart;
                // the baseline: the same measure over as long a window before any switch, on Kafka now
                resetWaits();
                measuring = true;
                paced(producer, 4 * records, window);
                measuring = false;
                long[] steady = waits();
                onKafka.forEach(RecordConsumer::close);
                producer.close();
                return table(
                        records,
                        baseline,
                        during,
                        copyRate,
                        migration.lastPause(),
                        switched - switchStart,
                        handedOver - switched,
                        joined - switched,
                        firstOnTarget.get() - switched,
                        across,
                        steady);
            }
        } finally {
            Directories.deleteRecursively(dir);
        }
    }

    private <B extends ConsumerBuilder<B, String, byte[]>> B member(B builder) {
        return builder.group("bench").concurrency(16).handler(r -> handled(r.key()));
    }

    /** When the consumer {@code member} owns {@code partitions} partitions (looked at every millisecond, 30 s at most). */
    private static long awaitAssigned(RecordConsumer member, int partitions) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (member.assignment().size() < partitions && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return System.nanoTime();
    }

    private void handled(String key) {
        int k = Integer.parseInt(key.substring(1));
        long now = System.nanoTime();
        long last = lastHandled.getAndSet(k, now);
        if (measuring && last != 0) {
            longestWait.accumulateAndGet(k, now - last, Math::max);
        }
    }

    private long[] waits() {
        long[] waits = new long[KEYS];
        for (int k = 0; k < KEYS; k++) {
            waits[k] = longestWait.get(k);
        }
        Arrays.sort(waits);
        return waits;
    }

    private void resetWaits() {
        for (int k = 0; k < KEYS; k++) {
            longestWait.set(k, 0);
        }
    }

    /** Sends {@code count} records as fast as the producer takes them; returns records per second. */
    private static double sendAll(RecordProducer<String, byte[]> producer, long first, int count) {
        long start = System.nanoTime();
        for (long n = first; n < first + count; n++) {
            producer.send("k" + (n % KEYS), VALUE);
        }
        producer.flush();
        return count / seconds(System.nanoTime() - start);
    }

    /** Sends at 5,000 records/s for {@code nanos}, each key every 200 ms. */
    private static void paced(RecordProducer<String, byte[]> producer, long first, long nanos) {
        long start = System.nanoTime();
        long n = first;
        while (System.nanoTime() - start < nanos) {
            long due = start + (n - first) * PACE_NANOS;
            long early = due - System.nanoTime();
            if (early > 0) {
                LockSupport.parkNanos(early);
            }
            producer.send("k" + (n % KEYS), VALUE);
            n++;
        }
        producer.flush();
    }

    private static String table(
            int records,
            double baseline,
            double during,
            double copyRate,
            Duration pause,
            long switchNanos,
            long handOverNanos,
            long joinedNanos,
            long firstHandledNanos,
            long[] across,
            long[] steady) {
        StringBuilder t = new StringBuilder();
        t.append("| ").append(String.format(Locale.ROOT, "%,d", records)).append(" records | migration | baseline |\n");
        t.append("|---|---:|---:|\n");
        t.append(row("producer, records/s (while the backlog is copied / no migration)", during, baseline));
        t.append(String.format(Locale.ROOT, "| copy, records/s | %,.0f | - |%n", copyRate));
        t.append(String.format(
                Locale.ROOT,
                "| switch, ms (producers paused) | %d (%d) | - |%n",
                TimeUnit.NANOSECONDS.toMillis(switchNanos),
                pause.toMillis()));
        t.append(String.format(
                Locale.ROOT,
                "| hand-over of the group, ms | %d | - |%n",
                TimeUnit.NANOSECONDS.toMillis(handOverNanos)));
        t.append(String.format(
                Locale.ROOT,
                "| from the switch's end: the target's member owns its partitions / handles its first record, ms | %d / %d | - |%n",
                TimeUnit.NANOSECONDS.toMillis(joinedNanos),
                TimeUnit.NANOSECONDS.toMillis(firstHandledNanos)));
        t.append(String.format(
                Locale.ROOT,
                "| longest wait per key, p50 / p99 / max ms (across the switch / steady on Kafka) | %d / %d / %d | %d / %d / %d |%n",
                ms(across, 0.50),
                ms(across, 0.99),
                ms(across, 1.0),
                ms(steady, 0.50),
                ms(steady, 0.99),
                ms(steady, 1.0)));
        return t.toString();
    }

    private static String row(String name, double a, double b) {
        return String.format(Locale.ROOT, "| %s | %,.0f | %,.0f |%n", name, a, b);
    }

    private static long ms(long[] sorted, double q) {
        int i = Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1);
        return TimeUnit.NANOSECONDS.toMillis(sorted[Math.max(0, i)]);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
