package dev.ordo.sequence;

import dev.ordo.Arguments;
import dev.ordo.flow.Backoff;
import java.time.Duration;
import java.util.Objects;

/**
 * See {@link GapPolicy#requestRedelivery(Duration, Duration, Duration)}: asks with backoff, skips the
 * gap once it is {@code giveUpAfter} old (the lossy one).
 */
final class RequestRedelivery extends GapPolicy {

    private final Backoff backoff;
    private final Duration giveUpAfter;
    private final long giveUpAfterNanos;

    RequestRedelivery(Backoff backoff, Duration giveUpAfter) {
        this.backoff = Objects.requireNonNull(backoff, "backoff must not be null");
        this.giveUpAfter = Arguments.nonNegative("giveUpAfter", giveUpAfter);
        this.giveUpAfterNanos = giveUpAfter.toNanos();
    }

    @Override
    public Kind kind() {
        return Kind.REQUEST_REDELIVERY;
    }

    @Override
    boolean timed() {
        return true;
    }

    @Override
    boolean needsRequester() {
        return true;
    }

    @Override
    <S> void apply(SourceState<S> source, long now, GapActions<S> actions) {
        long age = now - source.waitingSince();
        if (age >= giveUpAfterNanos) {
            actions.skipHeadGap(source, now);
        } else if (source.requestDue(backoff, age, now)) {
            actions.requestMissing(source, now);
        }
    }

    @Override
    public String toString() {
        return "requestRedelivery(initialBackoff=" + backoff.initial() + ", maxBackoff=" + backoff.max()
                + ", giveUpAfter=" + giveUpAfter + ")";
    }
}
