package dev.ordo.bench.probe;

import dev.ordo.kafka.CompletedOffsetsAccess;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.LongPredicate;
import java.util.function.Supplier;

/**
 * How many offsets handled beyond the commit point fit in one commit's metadata (Kafka's default
 * {@code offset.metadata.max.bytes} is 4,096; the consumer uses 4,000 characters): the Kafka backend's
 * {@code ordo2:} format (a bitmap or run lengths, deflated) against the {@code ordo1:} list of base-36
 * distances of earlier versions, on the same offsets, for a few patterns of completion, each offered
 * over the format's whole reach (1,048,576 offsets beyond the commit).
 *
 * <pre>java -cp ordo-bench/target/benchmarks.jar dev.ordo.bench.probe.CompletedOffsetsProbe</pre>
 *
 * Prints a Markdown table: per pattern the offsets offered, how many each format carries (checked by
 * decoding them), the length of the {@code ordo2:} string, and the processor time one commit's
 * encoding takes, for all offered and for the first 1,000 (as many as the consumer hands over today).
 * The counts are deterministic (fixed seed). Each time is the least of 9 rounds' means, from a second
 * pass over the table (the first one lets the compiler settle), so that other work on a shared machine
 * counts as little as it can.
 */
public final class CompletedOffsetsProbe {

    private static final long COMMITTED = 1_000_000;
    private static final int REACH = 1 << 20;
    private static final int TODAY = 1_000;
    private static final long SEED = 20261204;
    private static final int ROUNDS = 9;
    private static final long ROUND_NANOS = 20_000_000;

    private CompletedOffsetsProbe() {}

    public static void main(String[] args) {
        Random random = new Random(SEED);
        List<Pattern> patterns = List.of(
                new Pattern("every other offset, beyond the one at the commit", completed(d -> d % 2 == 0)),
                new Pattern("random, 50% density", completed(d -> random.nextInt(100) < 50)),
                new Pattern("random, 1% density", completed(d -> random.nextInt(100) < 1)),
                new Pattern("all but one slow key's of 1,000 keys", completed(d -> random.nextInt(1_000) != 0)),
                new Pattern("all but one slow key's of 100 keys", completed(d -> random.nextInt(100) != 0)));
        patterns.forEach(CompletedOffsetsProbe::row);
        System.out.println("| pattern | offered | ordo1 carries | ordo2 carries | ordo2 chars "
                + "| ordo2 encode, us CPU, all offered | ordo2 encode, us CPU, first 1,000 "
                + "| ordo1 encode, us CPU, first 1,000 |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        patterns.forEach(pattern -> System.out.println(row(pattern)));
    }

    private static String row(Pattern pattern) {
        long[] offered = pattern.offered();
        long[] first = Arrays.copyOf(offered, TODAY);
        int maxChars = CompletedOffsetsAccess.MAX_CHARS;
        String ordo1 = CompletedOffsetsAccess.encodeOrdo1(COMMITTED, offered, maxChars);
        String ordo2 = CompletedOffsetsAccess.encode(COMMITTED, offered, maxChars);
        return String.format(
                Locale.ROOT,
                "| %s | %,d | %,d | %,d | %,d | %,.1f | %,.1f | %,.1f |",
                pattern.name(),
                offered.length,
                CompletedOffsetsAccess.carried(COMMITTED, offered, ordo1),
                CompletedOffsetsAccess.carried(COMMITTED, offered, ordo2),
                ordo2.length(),
                micros(() -> CompletedOffsetsAccess.encode(COMMITTED, offered, maxChars)),
                micros(() -> CompletedOffsetsAccess.encode(COMMITTED, first, maxChars)),
                micros(() -> CompletedOffsetsAccess.encodeOrdo1(COMMITTED, first, maxChars)));
    }

    /** The offsets at distance 1 to the reach from the commit that {@code done} says are completed. */
    private static long[] completed(LongPredicate done) {
        long[] offsets = new long[REACH];
        int n = 0;
        for (long distance = 1; distance <= REACH; distance++) {
            if (done.test(distance)) {
                offsets[n++] = COMMITTED + distance;
            }
        }
        return Arrays.copyOf(offsets, n);
    }

    /** The processor time of one {@code encoding} on this thread: the least of {@value #ROUNDS} rounds' means. */
    private static double micros(Supplier<String> encoding) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double least = Double.MAX_VALUE;
        int length = 0;
        for (int round = 0; round < ROUNDS; round++) {
            long count = 0;
            long start = threads.getCurrentThreadCpuTime();
            long elapsed;
            do {
                length += encoding.get().length();
                count++;
                elapsed = threads.getCurrentThreadCpuTime() - start;
            } while (elapsed < ROUND_NANOS);
            least = Math.min(least, elapsed / 1_000.0 / count);
        }
        if (length == 0) {
            throw new IllegalStateException("every encoding was empty");
        }
        return least;
    }

    private record Pattern(String name, long[] offered) {}
}
