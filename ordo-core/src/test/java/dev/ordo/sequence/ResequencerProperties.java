package dev.ordo.sequence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class ResequencerProperties {

    @Property(tries = 300)
    void anyPermutationWithDuplicatesComesOutExactlyInOrder(
            @ForAll @IntRange(min = 1, max = 2_000) int n,
            @ForAll @IntRange(min = 0, max = 50) int duplicatePercent,
            @ForAll long seed) {
        Random random = new Random(seed);
        List<Long> arrivals = LongStream.range(0, n).boxed().collect(Collectors.toCollection(ArrayList::new));
        for (long s = 0; s < n; s++) {
            if (random.nextInt(100) < duplicatePercent) {
                arrivals.add(s);
            }
        }
        Collections.shuffle(arrivals, random);
        List<Long> out = new ArrayList<>();
        Resequencer<String, Long> r = Resequencer.<String, Long>builder()
                .maxBuffered(n)
                .build((source, sequence, message) -> out.add(message));

        arrivals.forEach(s -> r.offer("p", s, s));

        assertThat(out).containsExactlyElementsOf(LongStream.range(0, n).boxed().toList());
        assertThat(r.stats().duplicates()).isEqualTo(arrivals.size() - n);
        assertThat(r.stats().buffered()).isZero();
    }

    /**
     * Messages are displaced at most {@code window} places, one arrives per millisecond, and the
     * gap timeout exceeds the longest time a present message can trail a later one; so a gap can
     * only time out on a dropped message.
     */
    @Property(tries = 300)
    void withDropsAndSkipAfterTimeoutTheOutputIsIncreasingAndHoldsEveryMessageNotDropped(
            @ForAll @IntRange(min = 1, max = 2_000) int n,
            @ForAll @IntRange(min = 1, max = 64) int window,
            @ForAll @IntRange(min = 0, max = 30) int dropPercent,
            @ForAll @LongRange(min = 0, max = 2) long extraTimeoutMillis,
            @ForAll long seed) {
        Random random = new Random(seed);
        List<Long> kept = new ArrayList<>();
        for (long s = 0; s < n; s++) {
            if (random.nextInt(100) >= dropPercent) {
                kept.add(s);
            }
        }
        List<Long> arrivals = displaceWithin(kept, window, random);
        ManualTicker ticker = new ManualTicker();
        List<Long> out = new ArrayList<>();
        Resequencer<String, Long> r = Resequencer.<String, Long>builder()
                .ticker(ticker)
                .maxBuffered(n)
                .gapPolicy(GapPolicy.skipAfter(Duration.ofMillis(2L * window + 1 + extraTimeoutMillis)))
                .build((source, sequence, message) -> out.add(message));

        for (long s : arrivals) {
            r.offer("p", s, s);
            ticker.advance(Duration.ofMillis(1));
            r.tick();
        }
        ticker.advance(Duration.ofDays(1));
        r.tick();

        assertThat(out).isSorted().doesNotHaveDuplicates();
        assertThat(out).containsExactlyElementsOf(kept);
        assertThat(r.stats().late()).isZero();
    }

    /** Moves each element at most {@code window} positions from where it started. */
    private static List<Long> displaceWithin(List<Long> in, int window, Random random) {
        List<Long> out = new ArrayList<>(in);
        for (int start = 0; start < out.size(); start += window) {
            Collections.shuffle(out.subList(start, Math.min(out.size(), start + window)), random);
        }
        return out;
    }

    /**
     * A restart from a checkpoint taken at any moment: the sources send again from the checkpoint
     * (and stale duplicates from before it still arrive); the output before and after the restart
     * together is every message once, in order per source.
     */
    @Property(tries = 300)
    void aResequencerRestoredFromACheckpointContinuesWithoutLossOrDuplicates(
            @ForAll @IntRange(min = 1, max = 500) int n,
            @ForAll @IntRange(min = 0, max = 100) int crashPercent,
            @ForAll long seed) {
        Random random = new Random(seed);
        List<String> sources = List.of("a", "b", "c");
        List<long[]> arrivals = new ArrayList<>();
        for (int source = 0; source < sources.size(); source++) {
            for (long s = 0; s < n; s++) {
                arrivals.add(new long[] {source, s});
            }
        }
        Collections.shuffle(arrivals, random);
        List<String> out = new ArrayList<>();
        Resequencer.Sink<String, Long> sink = (source, sequence, message) -> out.add(source + message);
        Resequencer<String, Long> before =
                Resequencer.<String, Long>builder().maxBuffered(3 * n).build(sink);
        int crashAt = arrivals.size() * crashPercent / 100;
        for (long[] a : arrivals.subList(0, crashAt)) {
            before.offer(sources.get((int) a[0]), a[1], a[1]);
        }
        Map<String, Long> checkpoint = before.checkpoint();

        Resequencer<String, Long> after = Resequencer.<String, Long>builder()
                .maxBuffered(3 * n)
                .resumeFrom(checkpoint)
                .build(sink);
        List<long[]> resent = new ArrayList<>();
        for (int source = 0; source < sources.size(); source++) {
            for (long s = checkpoint.getOrDefault(sources.get(source), 0L); s < n; s++) {
                resent.add(new long[] {source, s});
            }
        }
        for (int i = 0; i < 20 && crashAt > 0; i++) {
            resent.add(arrivals.get(random.nextInt(crashAt))); // stale copies from before the checkpoint
        }
        Collections.shuffle(resent, random);
        for (long[] a : resent) {
            after.offer(sources.get((int) a[0]), a[1], a[1]);
        }

        for (String source : sources) {
            assertThat(out.stream().filter(m -> m.startsWith(source)).toList())
                    .containsExactlyElementsOf(
                            LongStream.range(0, n).mapToObj(s -> source + s).toList());
        }
        assertThat(after.stats().buffered()).isZero();
    }
}
