package dev.ordo.sequence;

import dev.ordo.Arguments;
import java.time.Duration;

/** See {@link GapPolicy#failAfter(Duration)}. */
final class FailAfter extends GapPolicy {

    private final Duration timeout;
    private final long timeoutNanos;

    FailAfter(Duration timeout) {
        this.timeout = Arguments.nonNegative("timeout", timeout);
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public Kind kind() {
        return Kind.FAIL;
    }

    @Override
    boolean timed() {
        return true;
    }

    @Override
    <S> void apply(SourceState<S> source, long now, GapActions<S> actions) {
        if (now - source.waitingSince() >= timeoutNanos) {
            actions.fail(source, "gap older than the FAIL timeout of " + timeout);
        }
    }

    @Override
    public String toString() {
        return "failAfter(" + timeout + ")";
    }
}
