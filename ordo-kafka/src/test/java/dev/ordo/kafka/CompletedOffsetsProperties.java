package dev.ordo.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.NavigableSet;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class CompletedOffsetsProperties {

    /** Within the reach and without a length limit every set fits, and comes back exactly. */
    @Property(tries = 300)
    void anySetWithinTheReachDecodesToExactlyItself(
            @ForAll @LongRange(min = 0, max = 1L << 50) long committed,
            @ForAll @IntRange(min = 1, max = 20_000) int count,
            @ForAll @IntRange(min = 0, max = Shape.COUNT - 1) int shape,
            @ForAll long seed) {
        long[] completed = withinReach(committed, Shape.offsets(new Random(seed), committed, count, shape));

        String metadata = CompletedOffsets.encode(committed, completed, Integer.MAX_VALUE);

        assertThat(CompletedOffsets.decode(committed, metadata)).containsExactlyElementsOf(boxed(completed));
    }

    /**
     * Up to 400 offsets anywhere within the reach (at most 6 bytes each before compression), or any
     * number within 20,000 of the commit (a bitmap of 2,500 bytes), fit in Kafka's default limit.
     */
    @Property(tries = 300)
    void fewOrNearOffsetsFitTheDefaultLimitWhole(
            @ForAll @LongRange(min = 0, max = 1L << 50) long committed,
            @ForAll @IntRange(min = 1, max = 20_000) int count,
            @ForAll @IntRange(min = 0, max = Shape.COUNT - 1) int shape,
            @ForAll boolean near,
            @ForAll long seed) {
        long[] completed = withinReach(committed, Shape.offsets(new Random(seed), committed, count, shape));
        long[] fitting = near
                ? Arrays.stream(completed).filter(o -> o - committed <= 20_000).toArray()
                : Arrays.copyOf(completed, Math.min(400, completed.length));

        String metadata = CompletedOffsets.encode(committed, fitting, CompletedOffsets.MAX_CHARS);

        assertThat(CompletedOffsets.decode(committed, metadata)).containsExactlyElementsOf(boxed(fitting));
    }

    /** Repeats, never loss: whatever the limit, what comes back is the lowest of the offsets given. */
    @Property(tries = 1_000)
    void theEncodingStaysWithinTheLimitAndDecodesToAPrefixOfTheOffsets(
            @ForAll @LongRange(min = 0, max = 1L << 50) long committed,
            @ForAll @IntRange(min = 0, max = 30_000) int count,
            @ForAll @IntRange(min = 0, max = Shape.COUNT - 1) int shape,
            @ForAll @IntRange(min = 0, max = 6_000) int maxChars,
            @ForAll @IntRange(min = 0, max = 3) int atOrBelowCommit,
            @ForAll long seed) {
        long[] beyond = Shape.offsets(new Random(seed), committed, count, shape);
        long[] completed = new long[atOrBelowCommit + beyond.length];
        for (int i = 0; i < atOrBelowCommit; i++) {
            completed[i] = committed - atOrBelowCommit + 1 + i; // the last one is the committed offset itself
        }
        System.arraycopy(beyond, 0, completed, atOrBelowCommit, beyond.length);

        String metadata = CompletedOffsets.encode(committed, completed, maxChars);
        NavigableSet<Long> decoded = CompletedOffsets.decode(committed, metadata);

        assertThat(metadata.length()).isLessThanOrEqualTo(maxChars);
        assertThat(metadata.chars()).allMatch(c -> c > ' ' && c < 127);
        assertThat(decoded).containsExactlyElementsOf(boxed(Arrays.copyOf(beyond, decoded.size())));
        if (beyond.length > 0
                && !CompletedOffsets.encode(committed, Arrays.copyOf(beyond, 1), maxChars)
                        .isEmpty()) {
            assertThat(decoded).as("kept, as the lowest fits alone").isNotEmpty();
        }
    }

    /** A damaged string is refused whole, or (where damage leaves the same bytes) decodes as before. */
    @Property(tries = 300)
    void aDamagedOrTruncatedEncodingDecodesToNothingOrToASubsetOfTheOffsets(
            @ForAll @LongRange(min = 0, max = 1L << 50) long committed,
            @ForAll @IntRange(min = 1, max = 5_000) int count,
            @ForAll @IntRange(min = 0, max = Shape.COUNT - 1) int shape,
            @ForAll long seed) {
        Random random = new Random(seed);
        long[] completed = Shape.offsets(random, committed, count, shape);
        String metadata = CompletedOffsets.encode(committed, completed, CompletedOffsets.MAX_CHARS);
        NavigableSet<Long> original = CompletedOffsets.decode(committed, metadata);
        assertThat(original).isNotEmpty();

        for (int i = 0; i < 100; i++) {
            String damaged = damage(random, metadata);
            assertThat(CompletedOffsets.decode(committed, damaged))
                    .as("decoded from %s", damaged)
                    .isSubsetOf(original);
        }
    }

    /** What the {@code ordo1:} encoder of earlier versions wrote decodes to what it carried. */
    @Property(tries = 300)
    void ordo1EncodingsStillDecode(
            @ForAll @LongRange(min = 0, max = 1L << 50) long committed,
            @ForAll @IntRange(min = 1, max = 3_000) int count,
            @ForAll @IntRange(min = 0, max = Shape.COUNT - 1) int shape,
            @ForAll long seed) {
        long[] completed = Shape.offsets(new Random(seed), committed, count, shape);

        String metadata = CompletedOffsets.encodeOrdo1(committed, completed, CompletedOffsets.MAX_CHARS);
        NavigableSet<Long> decoded = CompletedOffsets.decode(committed, metadata);

        assertThat(metadata).startsWith("ordo1:");
        int carried = metadata.split(",").length;
        assertThat(decoded).containsExactlyElementsOf(boxed(Arrays.copyOf(completed, carried)));
    }

    /** One to three characters replaced, inserted or removed after the prefix, or the string cut short. */
    private static String damage(Random random, String metadata) {
        int prefix = CompletedOffsets.PREFIX.length();
        if (random.nextInt(4) == 0) {
            return metadata.substring(0, random.nextInt(metadata.length()));
        }
        StringBuilder damaged = new StringBuilder(metadata);
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            int at = prefix + random.nextInt(damaged.length() - prefix);
            char c = (char) (' ' + random.nextInt(95));
            switch (random.nextInt(3)) {
                case 0 -> damaged.setCharAt(at, c);
                case 1 -> damaged.insert(at, c);
                default -> {
                    if (damaged.length() > prefix + 1) {
                        damaged.deleteCharAt(at);
                    }
                }
            }
        }
        return damaged.toString();
    }

    private static long[] withinReach(long committed, long[] offsets) {
        return Arrays.stream(offsets)
                .filter(o -> o - committed <= CompletedOffsets.MAX_DISTANCE)
                .toArray();
    }

    private static List<Long> boxed(long[] offsets) {
        return Arrays.stream(offsets).boxed().toList();
    }

    /** Shapes of the offsets completed beyond a commit. */
    private static final class Shape {
        static final int COUNT = 4;

        /** {@code count} increasing offsets beyond {@code committed}, in shape {@code shape}. */
        static long[] offsets(Random random, long committed, int count, int shape) {
            double density = 0.005 + 0.99 * random.nextDouble(); // of the uniform shape
            double stay = random.nextDouble(); // the chance a run of the clustered shape goes on
            int maxGap = 1 + random.nextInt(shape == 2 ? 100_000 : 64);
            long[] offsets = new long[count];
            long distance = 0;
            for (int i = 0; i < count; i++) {
                distance += switch (shape) {
                    case 0 -> 1 + (long) (Math.log(1 - random.nextDouble()) / Math.log(1 - density));
                    case 1 -> random.nextDouble() < stay ? 1 : 2 + random.nextInt(maxGap);
                    case 2 -> 1 + random.nextInt(maxGap); // sparse, also beyond the reach
                    default -> i == 0 ? 1 + random.nextInt(1_000) : 1; // one run
                };
                offsets[i] = committed + distance;
            }
            return offsets;
        }
    }
}
