package dev.ordo.sequence;

/**
 * A consistent snapshot of a {@link Resequencer}'s counters.
 *
 * @param released messages handed to the sink
 * @param duplicates messages dropped because their sequence was already released or buffered
 * @param late messages dropped because their sequence had already been skipped
 * @param gapsDetected runs of missing sequence numbers noticed
 * @param skipped sequence numbers given up on (by timeout, by overflow or by an operator)
 * @param redeliveryRequests ranges requested from senders
 * @param failedGaps gaps declared fatal
 * @param buffered messages held now
 * @param bufferedBytes weight of the messages held now
 * @param peakBuffered the most messages ever held at once
 * @param refused messages not taken for lack of room ({@link dev.ordo.flow.OverflowPolicy#REFUSE})
 * @param skippedByOperator of {@code skipped}, those given up on by {@link Resequencer#skip} or
 *        {@link Resequencer#endOfStream}
 * @param haltAlerts critical alerts raised ({@link GapPolicy#neverSkip} halting a source)
 * @param halted sources halted now
 */
public record ResequencerStats(
        long released,
        long duplicates,
        long late,
        long gapsDetected,
        long skipped,
        long redeliveryRequests,
        long failedGaps,
        int buffered,
        long bufferedBytes,
        int peakBuffered,
        long refused,
        long skippedByOperator,
        long haltAlerts,
        int halted) {}
