package dev.ordo.sequence;

/**
 * Asks a sender to send the sequence numbers {@code [from, to]} of {@code source} again; used by
 * {@link GapPolicy#requestRedelivery}. {@code attempt} starts at 1 for each gap and grows with
 * every repeated request.
 *
 * <p>Called outside the resequencer's lock, so it may offer the redelivered messages directly.
 *
 * @param <S> the source id type
 */
@FunctionalInterface
public interface RedeliveryRequester<S> {

    void request(S source, long from, long to, int attempt);
}
