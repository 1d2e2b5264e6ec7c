package dev.ordo.bench.e2e;

import dev.ordo.crdt.PNCounter;
import dev.ordo.engine.Headers;
import dev.ordo.engine.OutgoingRecord;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.Serdes;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import dev.ordo.log.storage.Directories;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * What declaring commutative records ({@code ConsumerBuilder.commutative}) gains over ordering them per key,
 * both measured in the same run on the embedded engine: a ledger of 1,000 accounts receives deposits as
 * {@link PNCounter} deltas (made by 4 tellers, each delta one record with the header {@code op=deposit});
 * a consumer of 64 handler threads applies each in a handler that takes 1 ms (a blocking sleep standing in
 * for a call to a store) and merges the delta into the account's balance. One group consumes the topic
 * with its deposits declared commutative, another ({@code Ordering.KEY}) in order per account; each from a
 * backlog, timed from its start to its last record handled, and the balances of both checked against the
 * tellers'.
 *
 * <p>Two account mixes: <b>uniform</b> (every account as busy) and <b>hot accounts</b> (Zipf, exponent 1:
 * the busiest account takes 13% of the deposits). Ordered per key, an account's deposits run one at a time,
 * so the busiest account bounds the rate; declared commutative, they run side by side.
 *
 * <pre>
 * java -cp ordo-bench/target/benchmarks.jar dev.ordo.bench.e2e.CommutativeBenchmark [RECORDS]
 * </pre>
 * Run from the repository's root, the table also goes to {@code ordo-bench/results/commutative-<date>.md}.
 */
public final class CommutativeBenchmark {

    private static final int ACCOUNTS = 1_000;
    private static final int TELLERS = 4;
    private static final int CONCURRENCY = 64;
    private static final Headers DEPOSIT = Headers.empty().with("op", "deposit");

    private CommutativeBenchmark() {}

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        StringBuilder table = new StringBuilder();
        table.append(String.format(
                Locale.ROOT,
                "| %,d deposits, 1 ms handlers, %d threads | ordered per account, records/s | commutative, records/s"
                        + " | gain | balances as the tellers' |%n",
                records,
                CONCURRENCY));
        table.append("|---|---:|---:|---:|---|\n");
        System.out.print(table);
        for (boolean hot : new boolean[] {false, true}) {
            String row = run(records, hot);
            System.out.print(row);
            table.append(row);
        }
        String out = table + "\n" + machine() + "\n";
        System.out.println("\n" + machine());
        Path results = Path.of("ordo-bench", "results");
        if (Files.isDirectory(results)) {
            Files.writeString(results.resolve("commutative-" + LocalDate.now() + ".md"), out);
        }
    }

    private static String run(int records, boolean hot) throws Exception {
        Path dir = Files.createTempDirectory("ordo-commutative-bench-");
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            log.createTopic("ledger", TopicSpec.partitions(8));
            Map<String, Long> expected = produce(log, records, hot);
            Result ordered = consume(log, "ordered", records, false);
            Result commutative = consume(log, "commutative", records, true);
            boolean balancesAgree = ordered.balances.equals(expected) && commutative.balances.equals(expected);
            return String.format(
                    Locale.ROOT,
                    "| %s | %,.0f | %,.0f | %.1fx | %s |%n",
                    hot ? "hot accounts (Zipf 1.0, busiest 13%)" : "uniform accounts",
                    ordered.recordsPerSecond,
                    commutative.recordsPerSecond,
                    commutative.recordsPerSecond / ordered.recordsPerSecond,
                    balancesAgree ? "yes" : "NO");
        } finally {
            Directories.deleteRecursively(dir);
        }
    }

    /** Sends the deposits, each a teller's PN-Counter delta for the account; returns the balances they make. */
    private static Map<String, Long> produce(EmbeddedLog log, int records, boolean hot) {
        Random random = new Random(42);
        double[] cumulative = zipf(hot ? 1.0 : 0.0);
        Map<String, PNCounter> tellers = new HashMap<>();
        Map<String, Long> balances = new HashMap<>();
        try (OrdoProducer<String, byte[]> producer = OrdoProducer.builder(
                        log, "ledger", Serdes.string(), Serdes.bytes())
                .build()) {
            for (int i = 0; i < records; i++) {
                String account = "ACC-" + account(cumulative, random.nextDouble());
                String teller = "teller-" + (i % TELLERS);
                long amount = 1 + random.nextInt(1_000);
                PNCounter state = tellers.getOrDefault(teller + "/" + account, PNCounter.empty());
                PNCounter delta = state.add(teller, amount);
                tellers.put(teller + "/" + account, state.merge(delta));
                balances.merge(account, amount, Long::sum);
                producer.send(OutgoingRecord.of(account, delta.encode()).withHeaders(DEPOSIT));
            }
            producer.flush();
        }
        return balances;
    }

    private record Result(double recordsPerSecond, Map<String, Long> balances) {}

    private static Result consume(EmbeddedLog log, String group, int records, boolean commutative)
            throws InterruptedException {
        Map<String, PNCounter> balances = new ConcurrentHashMap<>();
        LongAdder handled = new LongAdder();
        CountDownLatch done = new CountDownLatch(1);
        OrdoConsumer.Builder<String, byte[]> builder = OrdoConsumer.builder(
                        log, "ledger", Serdes.string(), Serdes.bytes())
                .group(group)
                .concurrency(CONCURRENCY)
                .handler(r -> {
                    Thread.sleep(1);
                    PNCounter delta = PNCounter.decode(r.value());
                    balances.merge(r.key(), delta, PNCounter::merge);
                    handled.increment();
                    if (handled.sum() == records) {
                        done.countDown();
                    }
                });
        if (commutative) {
            builder.commutative(headers -> "deposit".equals(headers.lastString("op")));
        }
        long start = System.nanoTime();
        try (RecordConsumer consumer = builder.start()) {
            if (!done.await(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException(group + " handled " + handled.sum() + " of " + records + " in 5 min");
            }
            long nanos = System.nanoTime() - start;
            Map<String, Long> values = new HashMap<>();
            balances.forEach((account, counter) -> values.put(account, counter.value()));
            return new Result(records / (nanos / 1e9), values);
        }
    }

    /** Cumulative probabilities of the accounts under Zipf's law with {@code exponent} (0: uniform). */
    private static double[] zipf(double exponent) {
        double[] cumulative = new double[ACCOUNTS];
        double sum = 0;
        for (int k = 0; k < ACCOUNTS; k++) {
            sum += 1 / Math.pow(k + 1, exponent);
            cumulative[k] = sum;
        }
        for (int k = 0; k < ACCOUNTS; k++) {
            cumulative[k] /= sum;
        }
        return cumulative;
    }

    private static int account(double[] cumulative, double u) {
        int i = Arrays.binarySearch(cumulative, u);
        return Math.min(ACCOUNTS - 1, i >= 0 ? i : -i - 1);
    }

    private static String machine() {
        return String.format(
                Locale.ROOT,
                "%d processors, Java %s; embedded engine, 8 partitions, one group member per run. `java -cp "
                        + "ordo-bench/target/benchmarks.jar dev.ordo.bench.e2e.CommutativeBenchmark`",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
    }
}
