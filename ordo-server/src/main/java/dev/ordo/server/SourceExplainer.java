package dev.ordo.server;

import dev.ordo.sequence.CriticalAlert;
import dev.ordo.sequence.Gap;
import dev.ordo.sequence.Resequencer;
import dev.ordo.sequence.SequenceRange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Says what one source of an attached {@link Resequencer} waits for, as
 * {@code GET /api/resequencers/{name}/explain?source=S} (and {@code ordo explain --resequencer NAME S}) shows
 * it: the missing range at its head and for how long, how many messages are held behind it, whether the source
 * is halted, and what resume and skip would do. Built from the resequencer's own snapshots ({@link
 * Resequencer#gaps()}, {@link Resequencer#halted()}, {@link Resequencer#checkpoint()}), each read under its
 * lock and off its offer path; together they may be a moment apart.
 */
final class SourceExplainer {

    /** How many sources an answer about an unknown one names. */
    private static final int SOURCES_NAMED = 10;

    /** A source's state in its resequencer. */
    enum Status {
        /** Messages of it are missing and later ones wait for them; the gap policy decides what happens. */
        WAITING_FOR_GAP,
        /** Halted by a policy that never skips: nothing after the gap is released until they come or an operator acts. */
        HALTED,
        /** Nothing of it is missing: its messages are released as they come. */
        FLOWING,
        /** The resequencer has seen no source of that name. */
        NOT_SEEN
    }

    /**
     * @param nextExpected the source's next expected sequence number; -1 for a source not seen
     * @param gaps its open gaps, lowest first
     */
    record SourceExplanation(
            String resequencer,
            String source,
            Status status,
            long nextExpected,
            List<SequenceRoutes.GapView> gaps,
            List<String> reasons,
            String text) {}

    private SourceExplainer() {}

    static <S> SourceExplanation explain(String name, Resequencer<S, ?> resequencer, String text) {
        List<Gap<S>> gaps = resequencer.gaps().stream()
                .filter(g -> g.source().toString().equals(text))
                .sorted(Comparator.comparingLong(Gap::from))
                .toList();
        Optional<CriticalAlert<S>> halt = resequencer.halted().stream()
                .filter(a -> a.source().toString().equals(text))
                .findFirst();
        Optional<S> source = gaps.isEmpty()
                ? halt.map(CriticalAlert::source)
                : Optional.of(gaps.get(0).source());
        if (source.isEmpty()) {
            Set<S> seen = resequencer.checkpoint().keySet();
            source = seen.stream().filter(s -> s.toString().equals(text)).findFirst();
            if (source.isEmpty()) {
                return answer(name, text, Status.NOT_SEEN, -1, gaps, List.of(notSeen(name, text, seen)));
            }
        }
        long next = resequencer.nextExpected(source.get());
        String policy = "the gap policy " + resequencer.gapPolicy();
        if (halt.isPresent()) {
            CriticalAlert<S> alert = halt.get();
            List<String> reasons = new ArrayList<>();
            reasons.add("halted by " + policy + ": missing " + SequenceRange.summarize(alert.missing()) + " for "
                    + alert.waited().toMillis() + " ms, " + alert.heldBehind() + " messages held behind; nothing"
                    + " after the gap is released until the missing messages arrive or an operator decides");
            reasons.add("resume: acknowledges the halt and keeps waiting (and asking for them); the source is halted"
                    + " again if they are still missing after the policy's haltAfter");
            reasons.add(skip(text, alert.missing().get(0), alert.heldBehind(), gaps));
            reasons.add("or have the sender send " + SequenceRange.summarize(alert.missing())
                    + " again: the source goes on by itself once they arrive");
            return answer(name, text, Status.HALTED, next, gaps, reasons);
        }
        if (!gaps.isEmpty()) {
            Gap<S> head = gaps.get(0);
            List<String> reasons = new ArrayList<>();
            reasons.add("waits for " + head.missing() + " (" + head.missing().count() + " messages), missing for "
                    + head.age().toMillis() + " ms: " + head.heldBehind() + " messages are held behind it");
            if (gaps.size() > 1) {
                reasons.add("also missing: "
                        + SequenceRange.summarize(gaps.subList(1, gaps.size()).stream()
                                .map(Gap::missing)
                                .toList()));
            }
            reasons.add("the gap policy is " + resequencer.gapPolicy() + "; the source is not halted, so there is"
                    + " nothing to resume");
            reasons.add(skip(text, head.missing(), head.heldBehind(), gaps));
            return answer(name, text, Status.WAITING_FOR_GAP, next, gaps, reasons);
        }
        return answer(
                name,
                text,
                Status.FLOWING,
                next,
                gaps,
                List.of("nothing of it is missing: next expected " + next + ", nothing held behind a gap"));
    }

    /** What skipping the head range would do: given up, and what it lets go up to the next gap. */
    private static <S> String skip(String source, SequenceRange head, int heldBehind, List<Gap<S>> gaps) {
        Optional<Gap<S>> nextGap =
                gaps.stream().filter(g -> g.from() > head.to()).findFirst();
        int released = heldBehind - nextGap.map(Gap::heldBehind).orElse(0);
        return "skip " + source + " through " + head.to() + ": gives up on " + head + " (" + head.count()
                + " messages, their effects lost) and releases the " + released + " messages held behind it"
                + nextGap.map(g -> ", up to the next gap " + g.missing()).orElse("");
    }

    private static String notSeen(String name, String text, Set<?> seen) {
        String some =
                seen.stream().limit(SOURCES_NAMED).map(String::valueOf).sorted().collect(Collectors.joining(", "));
        return "resequencer " + name + " has seen no source " + text + "; it has seen " + seen.size() + " sources"
                + (seen.isEmpty() ? "" : " (" + some + (seen.size() > SOURCES_NAMED ? ", ..." : "") + ")");
    }

    private static <S> SourceExplanation answer(
            String name, String source, Status status, long next, List<Gap<S>> gaps, List<String> reasons) {
        List<SequenceRoutes.GapView> views =
                gaps.stream().map(SequenceRoutes::gapView).toList();
        String text = "source " + source + " of " + name + ": " + status + "; " + String.join("; ", reasons);
        return new SourceExplanation(name, source, status, next, views, reasons, text);
    }
}
