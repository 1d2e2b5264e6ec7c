package dev.ordo.sequence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.ManualTicker;
import dev.ordo.flow.OverflowPolicy;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** {@link GapPolicy#neverSkip} on arbitrary interleavings of several sources with duplicates and losses. */
class StrictOrderProperties {

    private static final GapPolicy STRICT =
            GapPolicy.neverSkip(Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofMillis(50));

    /**
     * Each source sends 0..n-1; some lose messages for good, all may duplicate; everything arrives
     * shuffled across sources, one message a millisecond, with ticks in between. Whatever the order,
     * each source's output is an exact prefix of its stream, and a source that lost a message ends
     * halted on exactly the missing ranges it can see (below its highest arrived message); the others
     * are released completely.
     */
    @Property(tries = 300)
    void eachSourceComesOutAsAnExactPrefixAndAStuckSourceEndsHaltedOnExactlyWhatIsMissing(
            @ForAll @IntRange(min = 1, max = 4) int sources,
            @ForAll @IntRange(min = 1, max = 300) int n,
            @ForAll @IntRange(min = 0, max = 40) int duplicatePercent,
            @ForAll @IntRange(min = 0, max = 10) int lossPercent,
            @ForAll long seed) {
        Random random = new Random(seed);
        List<long[]> arrivals = new ArrayList<>();
        Map<String, TreeSet<Long>> lost = new HashMap<>();
        for (int p = 0; p < sources; p++) {
            String source = "s" + p;
            boolean lossy = random.nextBoolean();
            lost.put(source, new TreeSet<>());
            for (long s = 0; s < n; s++) {
                if (lossy && random.nextInt(100) < lossPercent) {
                    lost.get(source).add(s);
                    continue;
                }
                arrivals.add(new long[] {p, s});
                if (random.nextInt(100) < duplicatePercent) {
                    arrivals.add(new long[] {p, s});
                }
            }
        }
        Collections.shuffle(arrivals, random);
        ManualTicker ticker = new ManualTicker();
        Map<String, List<Long>> out = new HashMap<>();
        Resequencer<String, Long> r = Resequencer.<String, Long>builder()
                .ticker(ticker)
                .maxBuffered(sources * n)
                .gapPolicy(STRICT)
                .build((source, sequence, message) ->
                        out.computeIfAbsent(source, k -> new ArrayList<>()).add(message));

        for (long[] a : arrivals) {
            r.offer("s" + a[0], a[1], a[1]);
            ticker.advance(Duration.ofMillis(1));
            r.tick();
        }
        ticker.advance(Duration.ofDays(1));
        r.tick();

        Map<String, CriticalAlert<String>> halted = new HashMap<>();
        r.halted().forEach(alert -> halted.put(alert.source(), alert));
        for (int p = 0; p < sources; p++) {
            String source = "s" + p;
            int index = p;
            long highestArrived = arrivals.stream()
                    .filter(a -> a[0] == index)
                    .mapToLong(a -> a[1])
                    .max()
                    .orElse(-1);
            TreeSet<Long> visible = new TreeSet<>(lost.get(source).headSet(highestArrived));
            long releasedUpTo = visible.isEmpty() ? highestArrived + 1 : visible.first();
            assertThat(out.getOrDefault(source, List.of()))
                    .as("source %s: an exact prefix, nothing skipped", source)
                    .containsExactlyElementsOf(
                            LongStream.range(0, releasedUpTo).boxed().toList());
            if (visible.isEmpty()) {
                assertThat(halted).as("source %s lost nothing visible", source).doesNotContainKey(source);
            } else {
                assertThat(halted).containsKey(source);
                assertThat(halted.get(source).missing())
                        .as("source %s halted on exactly its missing ranges", source)
                        .containsExactlyElementsOf(ranges(visible));
            }
        }
        assertThat(r.stats().skipped()).isZero();
        assertThat(r.stats().late()).isZero();
    }

    /**
     * The same with a sender that answers redelivery requests (through a channel that reorders but no
     * longer loses), and a buffer small enough that messages are refused and offered again: every
     * message of every source comes out once, in order, and nothing stays halted.
     */
    @Property(tries = 200)
    void aSenderThatAnswersRequestsGetsEverySourceThroughCompletelyEvenWithRefusals(
            @ForAll @IntRange(min = 1, max = 4) int sources,
            @ForAll @IntRange(min = 1, max = 300) int n,
            @ForAll @IntRange(min = 0, max = 20) int lossPercent,
            @ForAll @IntRange(min = 2, max = 64) int maxBuffered,
            @ForAll long seed) {
        Random random = new Random(seed);
        List<long[]> sent = new ArrayList<>();
        for (int p = 0; p < sources; p++) {
            for (long s = 0; s < n; s++) {
                if (random.nextInt(100) >= lossPercent) {
                    sent.add(new long[] {p, s});
                }
            }
        }
        Collections.shuffle(sent, random);
        ArrayDeque<long[]> channel = new ArrayDeque<>();
        Set<Long> inFlight = new HashSet<>();
        Consumer<long[]> send = a -> {
            if (inFlight.add(a[0] * n + a[1])) {
                channel.addLast(a);
            }
        };
        sent.forEach(send);
        ManualTicker ticker = new ManualTicker();
        Map<String, List<Long>> out = new HashMap<>();
        Resequencer<String, Long> r = Resequencer.<String, Long>builder()
                .ticker(ticker)
                .maxBuffered(maxBuffered)
                .overflowPolicy(OverflowPolicy.REFUSE)
                .gapPolicy(STRICT)
                .redeliveryRequester((source, from, to, attempt) -> {
                    int p = Integer.parseInt(source.substring(1));
                    for (long s = from; s <= to; s++) {
                        send.accept(new long[] {p, s});
                    }
                })
                .build((source, sequence, message) ->
                        out.computeIfAbsent(source, k -> new ArrayList<>()).add(message));

        for (int step = 0; step < 1_000_000 && !allReleased(r, sources, n); step++) {
            long[] a = channel.pollFirst();
            if (a != null) {
                inFlight.remove(a[0] * n + a[1]);
                if (r.offer("s" + a[0], a[1], a[1]) == Resequencer.Offer.REFUSED) {
                    send.accept(a); // the sender keeps what was refused and offers it again
                }
            }
            if (a == null) {
                // A loss at the very end of a stream shows no gap: the sender re-sends its unreleased tail.
                for (int p = 0; p < sources; p++) {
                    if (r.nextExpected("s" + p) < n) {
                        send.accept(new long[] {p, n - 1});
                    }
                }
            }
            ticker.advance(Duration.ofMillis(1));
            r.tick();
        }

        for (int p = 0; p < sources; p++) {
            assertThat(out.getOrDefault("s" + p, List.of()))
                    .containsExactlyElementsOf(LongStream.range(0, n).boxed().toList());
        }
        assertThat(r.stats().skipped()).isZero();
    }

    private static boolean allReleased(Resequencer<String, Long> r, int sources, int n) {
        for (int p = 0; p < sources; p++) {
            if (r.nextExpected("s" + p) < n) {
                return false;
            }
        }
        return true;
    }

    private static List<SequenceRange> ranges(TreeSet<Long> missing) {
        List<SequenceRange> ranges = new ArrayList<>();
        long from = -1;
        long to = -2;
        for (long s : missing) {
            if (s != to + 1) {
                if (from >= 0) {
                    ranges.add(new SequenceRange(from, to));
                }
                from = s;
            }
            to = s;
        }
        if (from >= 0) {
            ranges.add(new SequenceRange(from, to));
        }
        return ranges;
    }
}
