package dev.ordo.bench.e2e;

import dev.ordo.causal.HybridLogicalClock;
import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.kafka.KafkaBroker;
import dev.ordo.kafka.KafkaOrdoConsumer;
import dev.ordo.kafka.KafkaOrdoProducer;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import dev.ordo.log.storage.Directories;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * What {@code Ordering.TOTAL} costs, against the alternative design in the same run: a topic of 4
 * partitions consumed in the total order (producers stamping with a hybrid clock and sending heartbeats
 * every 5, 20 or 100 ms), and a single-partition <b>sequencer topic</b> every producer writes to, consumed
 * with {@code Ordering.PARTITION} (one partition: its log order is the total order).
 *
 * <ul>
 *   <li><b>Latency</b>: two producers send 100 records/s each, keys spread over the partitions (a partition
 *       gets a record every 20 ms on average, so it is often idle for longer than a heartbeat interval);
 *       from the send (a {@code System.nanoTime} in the value) to the start of the handler, p50, p99 and max,
 *       after a warm-up.</li>
 *   <li><b>Throughput</b>: the two producers send as fast as they can while the consumer handles; records
 *       per second from the first send to the last record handled, the median of three rounds (the
 *       designs taking turns).</li>
 * </ul>
 *
 * Each design runs once, shorter, before anything is measured (the JIT, and the Kafka broker's).
 *
 * <pre>
 * java -cp ordo-bench/target/benchmarks.jar dev.ordo.bench.e2e.TotalOrderBenchmark [embedded|kafka|both] [SECONDS] [RECORDS]
 * </pre>
 * Defaults: both engines, 20 s of latency per design, 1,000,000 records per throughput round (Kafka: 30% of
 * that). Run from the
 * repository's root, the table also goes to {@code ordo-bench/results/total-order-<date>.md}.
 */
public final class TotalOrderBenchmark {

    private static final int PARTITIONS = 4;
    private static final int PRODUCERS = 2;
    private static final int RATE_PER_PRODUCER = 100;
    private static final int KEYS = 64;
    private static final Duration WARM_UP = Duration.ofSeconds(3);
    private static final long[] HEARTBEATS_MILLIS = {5, 20, 100};
    private static final int THROUGHPUT_ROUNDS = 3;

    private TotalOrderBenchmark() {}

    /** One design measured: how many partitions, consumed how, heartbeats every so often (or null). */
    private record Design(String name, int partitions, Ordering ordering, Duration heartbeats) {}

    /** Latency of a design, and the heartbeat records it read meanwhile per second. */
    private record Latency(Histogram histogram, double heartbeatsPerSecond) {}

    public static void main(String[] args) throws Exception {
        String engines = args.length > 0 ? args[0] : "both";
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int records = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
        StringBuilder out = new StringBuilder();
        if (!engines.equals("kafka")) {
            Path dir = Files.createTempDirectory("ordo-total-order-bench-");
            try (EmbeddedLog log = EmbeddedLog.open(dir)) {
                out.append(table("embedded engine", new Embedded(log), seconds, records));
            } finally {
                Directories.deleteRecursively(dir);
            }
        }
        if (!engines.equals("embedded")) {
            out.append(table(
                    "Kafka 4.4 (one broker in a child JVM)",
                    new Kafka(KafkaBroker.bootstrapServers()),
                    seconds,
                    records * 3 / 10)); // Kafka's clients move fewer records per second on these cores
        }
        String machine = String.format(
                Locale.ROOT,
                "%d processors, Java %s. `java -cp ordo-bench/target/benchmarks.jar"
                        + " dev.ordo.bench.e2e.TotalOrderBenchmark %s %d %d`%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                engines,
                seconds,
                records);
        System.out.println(machine);
        Path results = Path.of("ordo-bench", "results");
        if (Files.isDirectory(results)) {
            Files.writeString(results.resolve("total-order-" + LocalDate.now() + ".md"), out + "\n" + machine);
        }
    }

    private static String table(String engineName, Engine engine, int seconds, int records) throws Exception {
        List<Design> designs = new ArrayList<>();
        designs.add(new Design("sequencer topic (1 partition, PARTITION)", 1, Ordering.PARTITION, null));
        for (long millis : HEARTBEATS_MILLIS) {
            designs.add(new Design(
                    "TOTAL, " + PARTITIONS + " partitions, heartbeats " + millis + " ms",
                    PARTITIONS,
                    Ordering.TOTAL,
                    Duration.ofMillis(millis)));
        }
        System.out.println(engineName + ": warming up");
        for (Design design : designs) {
            latency(engine, design, 2);
            throughput(engine, design, records / 4);
        }
        StringBuilder table = new StringBuilder();
        table.append(String.format(
                Locale.ROOT,
                "%n%s: latency at %d records/s (%d producers), %d s per design; throughput of %,d records, median of"
                        + " %d rounds%n%n",
                engineName,
                PRODUCERS * RATE_PER_PRODUCER,
                PRODUCERS,
                seconds,
                records,
                THROUGHPUT_ROUNDS));
        table.append("| design | p50 ms | p99 ms | max ms | heartbeat records/s | throughput, records/s (range) |\n");
        table.append("|---|---:|---:|---:|---:|---:|\n");
        List<Latency> latencies = new ArrayList<>();
        for (Design design : designs) {
            latencies.add(latency(engine, design, seconds));
        }
        double[][] rates = new double[designs.size()][THROUGHPUT_ROUNDS];
        for (int round = 0; round < THROUGHPUT_ROUNDS; round++) {
            for (int d = 0; d < designs.size(); d++) {
                rates[d][round] = throughput(engine, designs.get(d), records);
            }
        }
        for (int d = 0; d < designs.size(); d++) {
            Histogram h = latencies.get(d).histogram();
            Arrays.sort(rates[d]);
            table.append(String.format(
                    Locale.ROOT,
                    "| %s | %.1f | %.1f | %.1f | %,.0f | %,.0f (%,.0f-%,.0f) |%n",
                    designs.get(d).name(),
                    h.getValueAtPercentile(50) / 1e6,
                    h.getValueAtPercentile(99) / 1e6,
                    h.getMaxValue() / 1e6,
                    latencies.get(d).heartbeatsPerSecond(),
                    rates[d][THROUGHPUT_ROUNDS / 2],
                    rates[d][0],
                    rates[d][THROUGHPUT_ROUNDS - 1]));
        }
        System.out.print(table);
        return table.toString();
    }

    /** The design's latency over {@code seconds} after a warm-up, at the paced rate. */
    private static Latency latency(Engine engine, Design design, int seconds) throws Exception {
        String topic = engine.createTopic(design.partitions());
        Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        long warmUpEnds = System.nanoTime() + WARM_UP.toNanos();
        AtomicLong handled = new AtomicLong();
        try (RecordConsumer consumer = engine.consumer(topic)
                .group("paced-" + topic)
                .ordering(design.ordering())
                .handler(r -> {
                    long now = System.nanoTime();
                    long sent = Long.parseLong(r.value());
                    if (sent > warmUpEnds) {
                        latency.recordValue(Math.max(0, now - sent)); // one handler thread under both designs
                    }
                    handled.incrementAndGet();
                })
                .start()) {
            if (!consumer.awaitCaughtUp(Duration.ofSeconds(60))) {
                throw new IllegalStateException(design.name() + ": consumer did not start within 60 s");
            }
            long sent = pace(engine, topic, design.heartbeats(), WARM_UP.plusSeconds(seconds));
            awaitHandled(handled, sent, design.name());
            double heartbeats = consumer.stats().heartbeats() / (WARM_UP.toSeconds() + (double) seconds);
            System.out.printf(
                    Locale.ROOT,
                    "  %s: p50 %.1f ms, p99 %.1f ms%n",
                    design.name(),
                    latency.getValueAtPercentile(50) / 1e6,
                    latency.getValueAtPercentile(99) / 1e6);
            return new Latency(latency, heartbeats);
        }
    }

    /** Records per second from the first send of {@code records} to the last record handled. */
    private static double throughput(Engine engine, Design design, int records) throws Exception {
        String topic = engine.createTopic(design.partitions());
        AtomicLong done = new AtomicLong();
        CountDownLatch all = new CountDownLatch(1);
        try (RecordConsumer consumer = engine.consumer(topic)
                .group("flooded-" + topic)
                .ordering(design.ordering())
                .handler(r -> {
                    if (done.incrementAndGet() == records) {
                        all.countDown();
                    }
                })
                .start()) {
            if (!consumer.awaitCaughtUp(Duration.ofSeconds(60))) {
                throw new IllegalStateException(design.name() + ": consumer did not start within 60 s");
            }
            long start = System.nanoTime();
            flood(engine, topic, design.heartbeats(), records);
            if (!all.await(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException(
                        design.name() + ": handled " + done.get() + " of " + records + " in 5 min");
            }
            double recordsPerSecond = records / ((System.nanoTime() - start) / 1e9);
            System.out.printf(Locale.ROOT, "  %s: %,.0f records/s%n", design.name(), recordsPerSecond);
            return recordsPerSecond;
        }
    }

    /** Two producers at {@link #RATE_PER_PRODUCER} records/s each for {@code duration}; returns how many were sent. */
    private static long pace(Engine engine, String topic, Duration heartbeats, Duration duration) throws Exception {
        AtomicLong sent = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            RecordProducer<String, String> producer = engine.producer(topic, heartbeats);
            Thread t = new Thread(() -> {
                try (producer) {
                    long gap = TimeUnit.SECONDS.toNanos(1) / RATE_PER_PRODUCER;
                    long next = System.nanoTime();
                    long end = next + duration.toNanos();
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    while (next < end) {
                        LockSupport.parkNanos(next - System.nanoTime());
                        producer.send("key-" + random.nextInt(KEYS), Long.toString(System.nanoTime()));
                        sent.incrementAndGet();
                        next += gap;
                    }
                    producer.flush();
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        return sent.get();
    }

    /** Two producers sending {@code records} between them as fast as they can. */
    private static void flood(Engine engine, String topic, Duration heartbeats, int records) throws Exception {
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            RecordProducer<String, String> producer = engine.producer(topic, heartbeats);
            int share = records / PRODUCERS + (p < records % PRODUCERS ? 1 : 0);
            Thread t = new Thread(() -> {
                try (producer) {
                    for (int i = 0; i < share; i++) {
                        producer.send("key-" + (i % KEYS), "0");
                    }
                    producer.flush();
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    private static void awaitHandled(AtomicLong handled, long sent, String design) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (handled.get() < sent) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(design + ": handled " + handled.get() + " of " + sent + " in 60 s");
            }
            Thread.sleep(10);
        }
    }

    /** Where the records go: topics, producers and consumers of one engine. */
    private interface Engine {
        /** A new topic of {@code partitions} partitions; returns its name. */
        String createTopic(int partitions) throws Exception;

        /** A producer stamping with the system's hybrid clock, sending heartbeats if {@code heartbeats} is set. */
        RecordProducer<String, String> producer(String topic, Duration heartbeats);

        ConsumerBuilder<?, String, String> consumer(String topic);
    }

    private static final class Embedded implements Engine {
        private final EmbeddedLog log;
        private int topics;

        Embedded(EmbeddedLog log) {
            this.log = log;
        }

        @Override
        public String createTopic(int partitions) throws Exception {
            String name = "total-order-" + topics++;
            log.createTopic(name, TopicSpec.partitions(partitions));
            return name;
        }

        @Override
        public RecordProducer<String, String> producer(String topic, Duration heartbeats) {
            OrdoProducer.Builder<String, String> builder = OrdoProducer.builder(
                            log, topic, Serdes.string(), Serdes.string())
                    .hybridClock(HybridLogicalClock.system());
            return heartbeats == null
                    ? builder.build()
                    : builder.heartbeats(heartbeats).build();
        }

        @Override
        public ConsumerBuilder<?, String, String> consumer(String topic) {
            return OrdoConsumer.builder(log, topic, Serdes.string(), Serdes.string());
        }
    }

    private static final class Kafka implements Engine {
        private final String bootstrap;
        private int topics;

        Kafka(String bootstrap) {
            this.bootstrap = bootstrap;
        }

        @Override
        public String createTopic(int partitions) throws Exception {
            String name = "total-order-" + System.nanoTime() + "-" + topics++;
            KafkaBroker.createTopic(name, partitions);
            return name;
        }

        @Override
        public RecordProducer<String, String> producer(String topic, Duration heartbeats) {
            KafkaOrdoProducer.Builder<String, String> builder = KafkaOrdoProducer.builder(
                            bootstrap, topic, Serdes.string(), Serdes.string())
                    .hybridClock(HybridLogicalClock.system());
            return heartbeats == null
                    ? builder.build()
                    : builder.heartbeats(heartbeats).build();
        }

        @Override
        public ConsumerBuilder<?, String, String> consumer(String topic) {
            return KafkaOrdoConsumer.builder(bootstrap, topic, Serdes.string(), Serdes.string());
        }
    }
}
