package dev.ordo.sequence;

import dev.ordo.Arguments;
import java.time.Duration;

/** See {@link GapPolicy#skipAfter(Duration)}. */
final class SkipAfterTimeout extends SkipAfter {

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
    public String toString() {
        return "skipAfter(" + timeout + ")";
    }
}
