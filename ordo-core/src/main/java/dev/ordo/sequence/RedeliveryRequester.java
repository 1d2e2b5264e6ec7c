package dev.ordo.sequence;

/**
 * Asks a sender to send the sequence numbers {@code [from, to]} of {@code source} again; used by
 * {@link GapPolicy#requestRedelivery} and {@link GapPolicy#neverSkip}. The ranges cover the gaps
 * and any sequence refused for room ({@link dev.ordo.flow.OverflowPolicy#REFUSE}), lowest first.
 * {@code attempt} starts at 1 for each gap and grows with every repeated request.
 *
 * <p>Called outside the resequencer's lock, also from an offer blocked for room, so it may offer
 * the redelivered messages directly.
 *
 * @param <S> the source id type
 */
@FunctionalInterface
public interface RedeliveryRequester<S> {

    void request(S source, long from, long to, int attempt);
}
