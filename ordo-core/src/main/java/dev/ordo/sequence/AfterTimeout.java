package dev.ordo.sequence;

/**
 * The policies that act once a gap has waited a timeout ({@link GapPolicy#skipAfter(java.time.Duration)},
 * its adaptive and learned forms, {@link GapPolicy#failAfter(java.time.Duration)}): they differ only in the
 * timeout and in what they do then.
 */
abstract sealed class AfterTimeout extends GapPolicy permits FailAfter, SkipAfter {

    @Override
    final boolean timed() {
        return true;
    }

    @Override
    final <S> void apply(SourceState<S> source, long now, GapActions<S> actions) {
        if (now - source.waitingSince() >= timeoutNanos(source)) {
            expired(source, now, actions);
        }
    }

    /** How long a gap of {@code source} waits, now. */
    abstract long timeoutNanos(SourceState<?> source);

    /** The head gap of {@code source} has waited the timeout. */
    abstract <S> void expired(SourceState<S> source, long now, GapActions<S> actions);
}
