package dev.ordo.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ordo.ManualTicker;
import dev.ordo.OverloadedException;
import dev.ordo.flow.OverflowPolicy;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The calendar queue and the reorderer built on it against plain references: a sorted list, and a
 * model of the reorderer's rules that recomputes everything from scratch on every step. Timestamps
 * mix dense runs with duplicates, negative values, sparse gaps, displaced events and values
 * anywhere in the range of a long, so buckets, the ring's window, the far heap and resizes are all
 * exercised.
 */
class EventTimeReferenceProperties {

    private static final Comparator<TimedEvent<String, Integer>> ORDER = Comparator.comparingLong(
                    (TimedEvent<String, Integer> e) -> e.timestamp())
            .thenComparing(TimedEvent::source)
            .thenComparingLong(TimedEvent::sequence);

    @Property(tries = 300)
    void calendarQueueReleasesInTheOrderOfASortedList(
            @ForAll @IntRange(min = 0, max = 4_000) int operations,
            @ForAll @IntRange(min = 1, max = 5) int sources,
            @ForAll @IntRange(min = 1, max = 40) int releasePercent,
            @ForAll boolean weighs,
            @ForAll long seed) {
        Random random = new Random(seed);
        Timestamps timestamps = new Timestamps(random);
        List<TimedEvent<String, Integer>> out = new ArrayList<>();
        List<Long> outWeights = new ArrayList<>();
        CalendarQueue<String, Integer> queue = new CalendarQueue<>(weighs, (e, w) -> {
            out.add(e);
            outWeights.add(w);
        });
        List<TimedEvent<String, Integer>> reference = new ArrayList<>();
        List<TimedEvent<String, Integer>> expected = new ArrayList<>();
        long[] sequences = new long[sources];
        long watermark = Long.MIN_VALUE;
        for (int op = 0; op < operations; op++) {
            if (random.nextInt(100) >= releasePercent) {
                int s = random.nextInt(sources);
                long timestamp = timestamps.next();
                TimedEvent<String, Integer> event = new TimedEvent<>("s" + s, sequences[s]++, timestamp, op, false);
                queue.add(event, weighs ? weightOf(event) : 0);
                reference.add(event);
            } else {
                int dice = random.nextInt(100);
                if (dice < 95) {
                    // Mostly forward, as a watermark goes; sometimes anywhere, which the queue also allows.
                    watermark = dice < 85 ? timestamps.behindNewest(watermark) : timestamps.any();
                } else {
                    watermark = Long.MAX_VALUE;
                }
                if (!reference.isEmpty() && dice % 3 == 0) {
                    assertThat(queue.firstTimestamp())
                            .isEqualTo(
                                    reference.stream().min(ORDER).orElseThrow().timestamp());
                }
                long limit = watermark;
                List<TimedEvent<String, Integer>> due = reference.stream()
                        .filter(e -> e.timestamp() <= limit)
                        .sorted(ORDER)
                        .toList();
                reference.removeIf(e -> e.timestamp() <= limit);
                expected.addAll(due);
                assertThat(queue.release(watermark)).isEqualTo(due.size());
            }
            assertThat(queue.size()).isEqualTo(reference.size());
        }
        reference.sort(ORDER);
        expected.addAll(reference);
        queue.release(Long.MAX_VALUE);
        assertThat(out).containsExactlyElementsOf(expected);
        if (weighs) {
            assertThat(outWeights)
                    .isEqualTo(expected.stream().map(e -> weightOf(e)).toList());
        }
        assertThat(queue.isEmpty()).isTrue();
    }

    @Property(tries = 500)
    void theReordererDecidesAndReleasesAsTheReferenceModel(
            @ForAll @IntRange(min = 0, max = 1_500) int operations,
            @ForAll @IntRange(min = 1, max = 4) int sources,
            @ForAll boolean declareSources,
            @ForAll @IntRange(min = 0, max = 3) int boundChoice,
            @ForAll @IntRange(min = 0, max = 2) int idleChoice,
            @ForAll @IntRange(min = 0, max = 2) int latenessChoice,
            @ForAll LatePolicy latePolicy,
            @ForAll @IntRange(min = 0, max = 3) int overflowChoice,
            @ForAll @IntRange(min = 1, max = 300) int maxBuffered,
            @ForAll boolean byteBound,
            @ForAll long seed) {
        Random random = new Random(seed);
        Timestamps timestamps = new Timestamps(random);
        long bound = new long[] {0, 3, 100, 10_000}[boundChoice];
        Duration idleness = idleChoice == 0 ? null : Duration.ofMillis(idleChoice == 1 ? 0 : 50);
        Duration lateness = latenessChoice == 0 ? null : Duration.ofMillis(latenessChoice == 1 ? 0 : 200);
        OverflowPolicy overflow = new OverflowPolicy[] {
                    null, OverflowPolicy.FORCE_GAP, OverflowPolicy.REFUSE, OverflowPolicy.REJECT
                }
                [overflowChoice];
        // Without an overflow policy the default BLOCK would wait in real time: no bound is reached then.
        boolean bytesBounded = byteBound && overflow != null;
        long maxBytes = bytesBounded ? 5L * maxBuffered : Long.MAX_VALUE;
        List<String> names = new ArrayList<>();
        for (int s = 0; s < sources; s++) {
            names.add("s" + s);
        }

        WatermarkStrategy strategy = WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofMillis(bound))
                .withLatePolicy(latePolicy);
        if (idleness != null) {
            strategy = strategy.withIdleness(idleness);
        }
        if (lateness != null) {
            strategy = strategy.withAllowedLateness(lateness);
        }
        ManualTicker ticker = new ManualTicker();
        List<String> out = new ArrayList<>();
        List<String> side = new ArrayList<>();
        EventTimeReorderer.Builder<String, Integer> builder = EventTimeReorderer.<String, Integer>builder()
                .watermarks(strategy)
                .ticker(ticker)
                .lateSink(e -> side.add(label(e)))
                .sources(declareSources ? names : List.of());
        if (overflow != null) {
            builder.maxBuffered(maxBuffered).overflowPolicy(overflow);
        }
        if (bytesBounded) {
            builder.maxBufferedBytes(maxBytes, w -> w);
        }
        EventTimeReorderer<String, Integer> reorderer = builder.build(e -> out.add(label(e)));
        Model model = new Model(
                bound,
                idleness == null ? -1 : idleness.toNanos(),
                lateness == null ? Long.MAX_VALUE : lateness.toMillis(),
                latePolicy,
                overflow,
                overflow == null ? 100_000 : maxBuffered,
                maxBytes,
                ticker,
                declareSources ? names : List.of());

        long[] sequences = new long[sources];
        for (int op = 0; op < operations; op++) {
            int dice = random.nextInt(100);
            if (dice < 85) {
                int s = random.nextInt(sources);
                long sequence = sequences[s]++;
                long timestamp = timestamps.next();
                int weight = 1 + random.nextInt(bytesBounded && random.nextInt(50) == 0 ? 10 * maxBuffered : 9);
                if (weight > maxBytes) {
                    assertThatThrownBy(() -> reorderer.offer(names.get(s), sequence, timestamp, weight))
                            .isInstanceOf(IllegalArgumentException.class);
                } else if (overflow == OverflowPolicy.REJECT && model.wouldReject(timestamp, weight)) {
                    assertThatThrownBy(() -> reorderer.offer(names.get(s), sequence, timestamp, weight))
                            .isInstanceOf(OverloadedException.class);
                    model.touch(names.get(s));
                } else {
                    assertThat(reorderer.offer(names.get(s), sequence, timestamp, weight))
                            .as("offer %s/%d at %d", names.get(s), sequence, timestamp)
                            .isEqualTo(model.offer(names.get(s), sequence, timestamp, weight));
                }
            } else if (dice < 92) {
                ticker.advance(Duration.ofMillis(random.nextInt(60)));
            } else if (dice < 98) {
                reorderer.tick();
                model.tick();
            } else {
                reorderer.flush();
                model.flush();
            }
            assertThat(out).isEqualTo(model.out);
            assertThat(side).isEqualTo(model.side);
            assertThat(reorderer.stats()).isEqualTo(model.stats());
        }
        reorderer.flush();
        model.flush();
        assertThat(out).isEqualTo(model.out);
        assertThat(reorderer.stats()).isEqualTo(model.stats());
    }

    private static long weightOf(TimedEvent<String, Integer> event) {
        return event.payload() % 7;
    }

    private static String label(TimedEvent<String, Integer> e) {
        return e.source() + "/" + e.sequence() + "@" + e.timestamp() + (e.correction() ? "!" : "");
    }

    /**
     * Timestamps of one of several shapes, chosen per run: dense with duplicates, sparse, around
     * zero, or scattered over the range of a long; each with some events displaced backwards.
     */
    private static final class Timestamps {
        private static final long[] EDGES = {
            Long.MIN_VALUE, Long.MIN_VALUE + 1, Long.MIN_VALUE + 2, -1, 0, 1, Long.MAX_VALUE - 1, Long.MAX_VALUE
        };
        private final Random random;
        private final int maxGap;
        private final int displacedPercent;
        private final int maxDisplacement;
        private final int anywherePercent;
        private long newest;

        Timestamps(Random random) {
            this.random = random;
            int shape = random.nextInt(4);
            this.maxGap = new int[] {2, 1_000, 5, 1 << 20}[shape];
            this.displacedPercent = random.nextInt(40);
            this.maxDisplacement = 1 + random.nextInt(maxGap * 50);
            this.anywherePercent = shape == 3 ? 10 : random.nextInt(3);
            this.newest = shape == 2 ? -500 : random.nextLong() / 4;
        }

        long next() {
            if (random.nextInt(100) < anywherePercent) {
                return any();
            }
            newest += random.nextInt(maxGap + 1);
            if (random.nextInt(100) < displacedPercent) {
                return newest - random.nextInt(maxDisplacement);
            }
            return newest;
        }

        long any() {
            return random.nextBoolean() ? EDGES[random.nextInt(EDGES.length)] : random.nextLong();
        }

        /** Somewhere between {@code watermark} and the newest timestamp. */
        long behindNewest(long watermark) {
            long candidate = newest - random.nextInt(maxGap * 20 + 1);
            return Math.max(watermark, candidate);
        }
    }

    /**
     * The reorderer's rules, stated as directly as possible: a sorted list of held events, every
     * source's clock rescanned on every step, arithmetic on big integers.
     */
    private static final class Model {
        private final long bound;
        private final long idleNanos;
        private final long allowedLateness;
        private final LatePolicy latePolicy;
        private final OverflowPolicy overflow;
        private final int maxBuffered;
        private final long maxBytes;
        private final ManualTicker ticker;
        private final Map<String, long[]> clocks = new HashMap<>(); // newest, lastArrival, idle (0/1)
        private final List<TimedEvent<String, Integer>> held = new ArrayList<>();
        final List<String> out = new ArrayList<>();
        final List<String> side = new ArrayList<>();
        private long watermark = Long.MIN_VALUE;
        private long bytes;
        private int peak;
        private long released;
        private long late;
        private long dropped;
        private long forced;
        private long refused;

        Model(
                long bound,
                long idleNanos,
                long allowedLateness,
                LatePolicy latePolicy,
                OverflowPolicy overflow,
                int maxBuffered,
                long maxBytes,
                ManualTicker ticker,
                List<String> declared) {
            this.bound = bound;
            this.idleNanos = idleNanos;
            this.allowedLateness = allowedLateness;
            this.latePolicy = latePolicy;
            this.overflow = overflow;
            this.maxBuffered = maxBuffered;
            this.maxBytes = maxBytes;
            this.ticker = ticker;
            declared.forEach(s -> clocks.put(s, new long[] {Long.MIN_VALUE, ticker.read(), 0}));
        }

        boolean wouldReject(long timestamp, int weight) {
            return timestamp > watermark && !fits(weight);
        }

        /** An offer that threw after the source was heard from. */
        void touch(String source) {
            long[] clock = clockOf(source);
            clock[1] = now();
            clock[2] = 0;
        }

        EventTimeReorderer.Offer offer(String source, long sequence, long timestamp, int weight) {
            long[] clock = clockOf(source);
            long now = now();
            clock[1] = now;
            clock[2] = 0;
            TimedEvent<String, Integer> event = new TimedEvent<>(source, sequence, timestamp, weight, false);
            if (timestamp <= watermark) {
                return late(event);
            }
            while (!fits(weight)) {
                if (overflow == OverflowPolicy.REFUSE) {
                    refused++;
                    return EventTimeReorderer.Offer.REFUSED;
                }
                forced++;
                watermark = Math.max(watermark, sorted().get(0).timestamp());
                releaseUpTo(watermark);
                if (timestamp <= watermark) {
                    return late(event);
                }
            }
            held.add(event);
            bytes += weighed(event);
            peak = Math.max(peak, held.size());
            clock[0] = Math.max(clock[0], timestamp);
            if (idleNanos >= 0) {
                markIdle(now);
            }
            advance();
            return EventTimeReorderer.Offer.ACCEPTED;
        }

        void tick() {
            if (idleNanos >= 0) {
                markIdle(now());
            }
            advance();
        }

        void flush() {
            if (!held.isEmpty()) {
                watermark = Math.max(watermark, sorted().get(held.size() - 1).timestamp());
                releaseUpTo(Long.MAX_VALUE);
            }
        }

        EventTimeStats stats() {
            return new EventTimeStats(
                    released, late, dropped, forced, refused, held.size(), bytes, peak, watermark, bound);
        }

        private long now() {
            return idleNanos >= 0 ? ticker.read() : 0;
        }

        private long[] clockOf(String source) {
            return clocks.computeIfAbsent(source, s -> new long[] {Long.MIN_VALUE, now(), 0});
        }

        private boolean fits(int weight) {
            return held.size() < maxBuffered && bytes + weight <= maxBytes;
        }

        /** Events are weighed (their payload) only under a byte bound. */
        private long weighed(TimedEvent<String, Integer> event) {
            return maxBytes == Long.MAX_VALUE ? 0 : event.payload();
        }

        private EventTimeReorderer.Offer late(TimedEvent<String, Integer> event) {
            BigInteger behind = BigInteger.valueOf(watermark).subtract(BigInteger.valueOf(event.timestamp()));
            if (allowedLateness != Long.MAX_VALUE && behind.compareTo(BigInteger.valueOf(allowedLateness)) > 0) {
                dropped++;
                return EventTimeReorderer.Offer.DROPPED;
            }
            late++;
            switch (latePolicy) {
                case SIDE_OUTPUT -> side.add(label(event));
                case CORRECTION ->
                    out.add(label(new TimedEvent<>(
                            event.source(), event.sequence(), event.timestamp(), event.payload(), true)));
                case DROP -> {}
            }
            return EventTimeReorderer.Offer.LATE;
        }

        private void markIdle(long now) {
            clocks.values().forEach(c -> c[2] = now - c[1] >= idleNanos ? 1 : 0);
        }

        private void advance() {
            BigInteger min = null;
            for (long[] clock : clocks.values()) {
                if (clock[2] == 0) {
                    BigInteger newest = BigInteger.valueOf(clock[0]);
                    min = min == null || newest.compareTo(min) < 0 ? newest : min;
                }
            }
            if (min == null || min.longValue() == Long.MIN_VALUE) {
                return;
            }
            BigInteger candidate = min.subtract(BigInteger.valueOf(bound + 1));
            if (candidate.compareTo(BigInteger.valueOf(watermark)) > 0) {
                watermark = candidate.longValueExact();
                releaseUpTo(watermark);
            }
        }

        private void releaseUpTo(long limit) {
            for (TimedEvent<String, Integer> e : sorted()) {
                if (e.timestamp() <= limit) {
                    held.remove(e);
                    bytes -= weighed(e);
                    released++;
                    out.add(label(e));
                }
            }
        }

        private List<TimedEvent<String, Integer>> sorted() {
            List<TimedEvent<String, Integer>> copy = new ArrayList<>(held);
            copy.sort(ORDER);
            return copy;
        }
    }
}
