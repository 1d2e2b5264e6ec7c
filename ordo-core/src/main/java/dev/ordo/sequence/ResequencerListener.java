package dev.ordo.sequence;

/**
 * Observes what a {@link Resequencer} decides. Every method has a no-op default; implement the
 * ones you need (metrics, logs, alerting, tests).
 *
 * <p>Called while the resequencer holds its lock: be quick and never call back into it (hand an
 * alert to another thread if it needs work).
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

    /** The sequence numbers {@code [from, to]} were given up on by the gap or overflow policy. */
    default void onGapSkipped(S source, long from, long to) {}

    /** The gap {@code [from, to]} was declared fatal by {@link GapPolicy#failAfter}. */
    default void onGapFailed(S source, long from, long to) {}

    /**
     * {@link GapPolicy#neverSkip} halted a source: its missing messages have waited too long. The
     * alert says what is missing and what an operator can do.
     */
    default void onHalted(CriticalAlert<S> alert) {}

    /** A halted source goes on: what it waited for arrived (or was skipped); it continues at {@code nextSequence}. */
    default void onRecovered(S source, long nextSequence) {}

    /** Missing messages were given up on by {@link Resequencer#skip} or {@link Resequencer#endOfStream}. */
    default void onSkippedByOperator(SkipDecision<S> decision) {}
}
