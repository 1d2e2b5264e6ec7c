package dev.ordo.sequence;

/**
 * Observes what a {@link Resequencer} decides. Every method has a no-op default; implement the
 * ones you need (metrics, logs, tests).
 *
 * <p>Called while the resequencer holds its lock: be quick and never call back into it.
 *
 * @param <S> the source id type
 */
public interface ResequencerListener<S> {

    /** A message arrived whose sequence was already released or is already buffered. */
    default void onDuplicate(S source, long sequence) {}

    /** A message arrived after its sequence number had been skipped. It is dropped. */
    default void onLate(S source, long sequence) {}

    /** A new run of missing sequence numbers {@code [from, to]} was noticed. */
    default void onGapDetected(S source, long from, long to) {}

    /** The sequence numbers {@code [from, to]} were given up on (timeout or overflow). */
    default void onGapSkipped(S source, long from, long to) {}

    /** The gap {@code [from, to]} was declared fatal by {@link GapPolicy#failAfter}. */
    default void onGapFailed(S source, long from, long to) {}
}
