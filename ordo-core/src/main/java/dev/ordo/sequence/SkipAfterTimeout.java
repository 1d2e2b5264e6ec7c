package dev.ordo.sequence;

import dev.ordo.Arguments;
import java.time.Duration;

/** See {@link GapPolicy#skipAfter(Duration)}. */
final class SkipAfterTimeout extends AfterTimeout {

    private final Duration timeout;
    private final long timeoutNanos;

    SkipAfterTimeout(Duration timeout) {
        this.timeout = Arguments.nonNegative("timeout", timeout);
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    long timeoutNanos(SourceState<?> source) {
        return timeoutNanos;
    }

    @Override
    public Kind kind() {
        return Kind.SKIP_AFTER_TIMEOUT;
    }

    @Override
    <S> void expired(SourceState<S> source, long now, GapActions<S> actions) {
        actions.skipHeadGap(source, now);
    }

    @Override
    public String toString() {
        return "skipAfter(" + timeout + ")";
    }
}
