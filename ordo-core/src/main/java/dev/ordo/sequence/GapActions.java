package dev.ordo.sequence;

/**
 * What a {@link GapPolicy} may do about a gap; implemented by the resequencer's state, called under
 * its lock.
 *
 * @param <S> the source id type
 */
interface GapActions<S> {

    /** Gives up on the head gap of {@code source} and releases what follows it. */
    void skipHeadGap(SourceState<S> source, long now);

    /** Declares the head gap of {@code source} fatal. */
    void fail(SourceState<S> source, String detail);

    /** Asks the redelivery requester, if there is one, for every missing range of {@code source}. */
    void requestMissing(SourceState<S> source, long now);

    /** Halts {@code source}: raises a {@link CriticalAlert}. */
    void halt(SourceState<S> source, long now);

    /** {@code source} is no longer halted: what it waited for arrived or was skipped. */
    void recover(SourceState<S> source);
}
