package dev.ordo.sequence;

import dev.ordo.Arguments;
import dev.ordo.flow.Backoff;
import java.time.Duration;
import java.util.Objects;

/**
 * See {@link GapPolicy#neverSkip(Duration, Duration, Duration)}: asks with capped backoff for as long
 * as a gap is open, halts the source once the gap is {@code haltAfter} old (or that long after an
 * operator resumed it), and lets it go on by itself once the gap at its head is younger than that.
 */
final class NeverSkip extends GapPolicy {

    private final Backoff backoff;
    private final Duration haltAfter;
    private final long haltAfterNanos;

    NeverSkip(Backoff backoff, Duration haltAfter) {
        this.backoff = Objects.requireNonNull(backoff, "backoff must not be null");
        this.haltAfter = Arguments.nonNegative("haltAfter", haltAfter);
        this.haltAfterNanos = haltAfter.toNanos();
    }

    @Override
    public Kind kind() {
        return Kind.NEVER_SKIP;
    }

    @Override
    boolean timed() {
        return true;
    }

    @Override
    boolean allowsOverflowSkips() {
        return false;
    }

    @Override
    <S> void apply(SourceState<S> source, long now, GapActions<S> actions) {
        long since = source.waitingSince();
        if (source.requestDue(backoff, now - since, now)) {
            actions.requestMissing(source, now);
        }
        boolean overdue = now - Math.max(since, source.resumedAt) >= haltAfterNanos;
        if (overdue && !source.halted) {
            actions.halt(source, now);
        } else if (!overdue && source.halted) {
            actions.recover(source);
        }
    }

    @Override
    public String toString() {
        return "neverSkip(initialBackoff=" + backoff.initial() + ", maxBackoff=" + backoff.max() + ", haltAfter="
                + haltAfter + ")";
    }
}
