package dev.ordo.sequence;

/**
 * The policies that skip a gap once it has waited its timeout: a fixed one ({@link SkipAfterTimeout}), one
 * learned from all sources' delays ({@link SkipAfterAdaptiveTimeout}) or from each source's
 * ({@link SkipAfterLearnedTimeout}). They differ only in the timeout.
 */
abstract sealed class SkipAfter extends AfterTimeout
        permits SkipAfterTimeout, SkipAfterAdaptiveTimeout, SkipAfterLearnedTimeout {

    @Override
    public final Kind kind() {
        return Kind.SKIP_AFTER_TIMEOUT;
    }

    @Override
    final <S> void expired(SourceState<S> source, long now, GapActions<S> actions) {
        actions.skipHeadGap(source, now);
    }
}
