package dev.ordo.sequence;

import dev.ordo.Arguments;
import java.time.Duration;

/** See {@link GapPolicy#failAfter(Duration)}. */
final class FailAfter extends AfterTimeout {

    private final Duration timeout;
    private final long timeoutNanos;

    FailAfter(Duration timeout) {
        this.timeout = Arguments.nonNegative("timeout", timeout);
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    long timeoutNanos(SourceState<?> source) {
        return timeoutNanos;
    }

    @Override
    public Kind kind() {
        return Kind.FAIL;
    }

    @Override
    <S> void expired(SourceState<S> source, long now, GapActions<S> actions) {
        actions.fail(source, "gap older than the FAIL timeout of " + timeout);
    }

    @Override
    public String toString() {
        return "failAfter(" + timeout + ")";
    }
}
