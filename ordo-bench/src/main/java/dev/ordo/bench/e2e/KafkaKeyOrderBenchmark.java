package dev.ordo.bench.e2e;

import dev.ordo.engine.Ordering;
import dev.ordo.engine.Serdes;
import dev.ordo.kafka.KafkaBroker;
import dev.ordo.kafka.KafkaOrdoConsumer;
import dev.ordo.kafka.KafkaOrdoProducer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Key-ordered parallel consumption on Kafka (issue 6), all in one run on a broker started for it in
 * a child JVM ({@code KafkaBroker}, Kafka 4.4): Ordo's {@link KafkaOrdoConsumer} in {@code KEY}
 * mode, Confluent's Parallel Consumer 0.5.3.3 (its last release; in a JVM of its own on the Kafka
 * clients it still runs on, {@link ParallelConsumerRun}) in {@code KEY} order at the same concurrency, and a plain single-threaded
 * {@link KafkaConsumer} loop. 1,000 keys over 3 partitions; handlers that wait 1 ms or 10 ms (a
 * remote call). Throughput runs from the first record handled to the last (group joins excluded);
 * every handler checks that each key's records arrive in order, and a violation is counted.
 *
 * <p>Run:
 * {@code java -cp ordo-bench/target/benchmarks.jar dev.ordo.bench.e2e.KafkaKeyOrderBenchmark [concurrency] [scale]}
 */
public final class KafkaKeyOrderBenchmark {

    static final int KEYS = 1_000;
    static final int PARTITIONS = 3;

    /** One measured case. */
    record Figure(
            String system,
            int handlerMillis,
            int concurrency,
            long records,
            double recordsPerSecond,
            long violations) {}

    private KafkaKeyOrderBenchmark() {}

    public static void main(String[] args) throws Exception {
        int concurrency = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        double scale = args.length > 1 ? Double.parseDouble(args[1]) : 1.0;
        String bootstrap = KafkaBroker.bootstrapServers();
        System.out.println("| consumer | handler | concurrency | records | records/s | per-key order violations |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        int run = 0;
        for (int handlerMillis : new int[] {1, 10}) {
            long parallelRecords = (long) ((handlerMillis == 1 ? 60_000 : 15_000) * scale);
            long plainRecords = (long) ((handlerMillis == 1 ? 2_000 : 300) * scale);
            String topic = "bench-" + handlerMillis;
            KafkaBroker.createTopic(topic, PARTITIONS);
            produce(bootstrap, topic, parallelRecords);
            print(ordo(bootstrap, topic, "ordo-" + run, handlerMillis, concurrency, parallelRecords));
            print(ParallelConsumerRun.inChildJvm(
                    bootstrap, topic, "pc-" + run, handlerMillis, concurrency, parallelRecords));
            print(plainLoop(bootstrap, topic, "plain-" + run, handlerMillis, plainRecords));
            run++;
        }
        System.exit(0); // the consumers' leftover threads would keep the JVM alive; the broker's JVM ends with it
    }

    private static void print(Figure f) {
        System.out.printf(
                Locale.ROOT,
                "| %s | %d ms | %d | %,d | %,.0f | %d |%n",
                f.system(),
                f.handlerMillis(),
                f.concurrency(),
                f.records(),
                f.recordsPerSecond(),
                f.violations());
    }

    private static void produce(String bootstrap, String topic, long records) {
        try (KafkaOrdoProducer<String, String> producer = KafkaOrdoProducer.builder(
                        bootstrap, topic, Serdes.string(), Serdes.string())
                .build()) {
            for (long i = 0; i < records; i++) {
                producer.send("key-" + (i % KEYS), String.valueOf(i));
            }
            producer.flush();
        }
    }

    /** Counts records, checks per-key order (values increase per key), and times first to last. */
    static final class Meter {
        final long expected;
        final int handlerMillis;
        final CountDownLatch done;
        final AtomicLong first = new AtomicLong();
        final AtomicLong last = new AtomicLong();
        final AtomicLong violations = new AtomicLong();
        final Map<String, Long> lastPerKey = new ConcurrentHashMap<>();

        Meter(long expected, int handlerMillis) {
            this.expected = expected;
            this.handlerMillis = handlerMillis;
            this.done = new CountDownLatch((int) expected);
        }

        void handle(String key, String value) {
            first.compareAndSet(0, System.nanoTime());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(handlerMillis)); // the remote call
            long v = Long.parseLong(value);
            Long previous = lastPerKey.put(key, v);
            if (previous != null && previous > v) {
                violations.incrementAndGet();
            }
            last.accumulateAndGet(System.nanoTime(), Math::max);
            done.countDown();
        }

        Figure figure(String system, int concurrency) throws InterruptedException {
            if (!done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException(system + " did not finish");
            }
            return new Figure(
                    system,
                    handlerMillis,
                    concurrency,
                    expected,
                    expected * 1e9 / (last.get() - first.get()),
                    violations.get());
        }
    }

    private static Figure ordo(
            String bootstrap, String topic, String group, int handlerMillis, int concurrency, long records)
            throws InterruptedException {
        Meter meter = new Meter(records, handlerMillis);
        KafkaOrdoConsumer<String, String> consumer = KafkaOrdoConsumer.builder(
                        bootstrap, topic, Serdes.string(), Serdes.string())
                .group(group)
                .ordering(Ordering.KEY)
                .concurrency(concurrency)
                .handler(r -> meter.handle(r.key(), r.value()))
                .start();
        try {
            return meter.figure("Ordo KafkaOrdoConsumer (KEY)", concurrency);
        } finally {
            consumer.close();
        }
    }

    private static Figure plainLoop(String bootstrap, String topic, String group, int handlerMillis, long records)
            throws InterruptedException {
        Meter meter = new Meter(records, handlerMillis);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                consumerProps(bootstrap, group), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long seen = 0;
            while (seen < records) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    if (seen++ >= records) {
                        break;
                    }
                    meter.handle(
                            new String(r.key(), StandardCharsets.UTF_8), new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return meter.figure("plain KafkaConsumer loop (1 thread)", 1);
    }

    private static Properties consumerProps(String bootstrap, String group) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("group.id", group);
        props.put("enable.auto.commit", "false");
        props.put("auto.offset.reset", "earliest");
        return props;
    }
}
