package dev.ordo.sequence;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator decides about a {@link Resequencer}'s gaps, and the record of it: giving up on
 * missing messages ({@link Resequencer#skip}, {@link Resequencer#endOfStream}) is checked, applied
 * to the source's window, kept in a bounded history, told to the listener and logged at WARN.
 * Guarded by the resequencer's lock; the log lines go to the deferred calls.
 *
 * @param <S> the source id type
 */
final class OperatorDecisions<S> {

    private static final Logger log = LoggerFactory.getLogger(Resequencer.class);
    private static final int MAX_SKIP_DECISIONS = 256;

    private final SourceWindows<S, ?> windows;
    private final ResequencerListener<S> listener;
    private final ArrayDeque<SkipDecision<S>> history = new ArrayDeque<>();

    OperatorDecisions(SourceWindows<S, ?> windows, ResequencerListener<S> listener) {
        this.windows = windows;
        this.listener = listener;
    }

    /** Gives up on the missing messages of {@code source} through {@code through}; returns the gaps given up on. */
    List<Gap<S>> skip(S source, long through, String reason, long now) {
        long next = windows.nextExpected(source);
        if (through == Long.MAX_VALUE) {
            throw new IllegalArgumentException("throughSequence must be < " + Long.MAX_VALUE + ", was " + through);
        }
        if (through < next) {
            throw new IllegalArgumentException("throughSequence must be >= the next expected sequence " + next
                    + " of source " + source + ", was " + through);
        }
        return skipThrough(windows.source(source), through, reason, now);
    }

    /** Gives up on every gap of every waiting source, releasing all it holds; returns the gaps given up on. */
    List<Gap<S>> endOfStream(String reason, long now) {
        List<Gap<S>> given = new ArrayList<>();
        for (SourceState<S> st : windows.reports.sources()) {
            given.addAll(skipThrough(st, st.seenHighest(), reason, now));
        }
        return given;
    }

    /**
     * Puts {@code next} in place of the gap policy and applies it at once to every gap held now: a source
     * halted by {@link GapPolicy#neverSkip} goes on if the new policy never halts; returns a failure the new
     * policy declared, if any.
     */
    SequenceGapException changePolicy(GapPolicy next, long now) {
        GapPolicy before = windows.policy();
        windows.policy(next);
        if (next.kind() != GapPolicy.Kind.NEVER_SKIP) {
            for (SourceState<S> st : windows.reports.sources()) {
                if (st.halted) {
                    windows.recover(st); // a halt is neverSkip's; the new policy decides about the gap
                }
            }
        }
        windows.deferred.add(() -> log.info("gap policy changed from {} to {}", before, next));
        return windows.evaluateAll(now);
    }

    /** The recent decisions, oldest first. */
    List<SkipDecision<S>> history() {
        return List.copyOf(history);
    }

    private List<Gap<S>> skipThrough(SourceState<S> st, long through, String reason, long now) {
        List<Gap<S>> given = new ArrayList<>();
        for (Gap<S> gap : st.gaps(now)) {
            if (gap.from() <= through) {
                given.add(
                        gap.to() <= through
                                ? gap
                                : new Gap<>(st.id, gap.from(), through, gap.sinceNanos(), gap.age(), gap.heldBehind()));
            }
        }
        long from = st.next;
        long count = giveUpThrough(st, through, now);
        SkipDecision<S> decision = new SkipDecision<>(st.id, from, through, count, reason, now);
        if (history.size() == MAX_SKIP_DECISIONS) {
            history.pollFirst();
        }
        history.addLast(decision);
        listener.onSkippedByOperator(decision);
        windows.deferred.add(() -> log.warn(
                "source {}: gave up on {} missing sequence numbers in [{}, {}] by decision: {}; gaps {}",
                decision.source(),
                decision.skipped(),
                decision.fromSequence(),
                decision.throughSequence(),
                reason,
                given));
        windows.afterProgress(st, now);
        return given;
    }

    /**
     * Gives up on the missing sequence numbers of {@code st} through {@code through} ({@code >= next}),
     * releasing those present in order; returns how many were missing.
     */
    private long giveUpThrough(SourceState<S> st, long through, long now) {
        long count = 0;
        while (st.next <= through) {
            if (st.buffered == 0) {
                st.rememberSkipped(st.next, through, now);
                count += through + 1 - st.next;
                st.next = through + 1;
            } else if (!st.headMissing()) {
                windows.drain(st);
            } else {
                long end = Math.min(through + 1, st.first);
                st.rememberSkipped(st.next, end - 1, now);
                count += end - st.next;
                st.next = end;
            }
        }
        windows.drain(st);
        if (st.failure != null && st.next > st.failure.toSequence()) {
            st.failure = null;
        }
        windows.countSkippedByOperator(count);
        return count;
    }
}
