package dev.ordo.sequence;

import java.util.Objects;

/**
 * A recorded decision to give up on missing sequence numbers, taken by an operator
 * ({@link Resequencer#skip}) or at the end of a stream ({@link Resequencer#endOfStream}): the
 * effects of the messages in {@code [fromSequence, throughSequence]} that never arrived are lost,
 * and the reason says why that was accepted. {@link Resequencer#skipDecisions()} keeps the recent
 * ones for audit.
 *
 * @param source the source skipped forward
 * @param fromSequence its next expected sequence before the decision
 * @param throughSequence the last sequence number given up on; the source continues after it
 * @param skipped how many sequence numbers in that range were missing and are now given up on
 *        (those present were released in order)
 * @param reason why, as the operator gave it
 * @param atNanos the ticker reading when the decision was taken
 * @param <S> the source id type
 */
public record SkipDecision<S>(
        S source, long fromSequence, long throughSequence, long skipped, String reason, long atNanos) {

    public SkipDecision {
        Objects.requireNonNull(source, "source must not be null");
        Objects.requireNonNull(reason, "reason must not be null");
    }
}
