package dev.ordo.sequence;

import dev.ordo.Arguments;
import java.time.Duration;

/** See {@link GapPolicy#skipAfter(Duration)}. */
final class SkipAfterTimeout extends GapPolicy {

    private final Duration timeout;
    private final long timeoutNanos;

    SkipAfterTimeout(Duration timeout) {
        this.timeout = Arguments.nonNegative("timeout", timeout);
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public Kind kind() {
        return Kind.SKIP_AFTER_TIMEOUT;
    }

    @Override
    boolean timed() {
        return true;
    }

    @Override
    <S> void apply(SourceState<S> source, long now, GapActions<S> actions) {
        if (now - source.waitingSince() >= timeoutNanos) {
            actions.skipHeadGap(source, now);
        }
    }

    @Override
    public String toString() {
        return "skipAfter(" + timeout + ")";
    }
}
