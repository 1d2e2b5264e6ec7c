package dev.ordo.flow;

/**
 * What a reorder buffer ({@link dev.ordo.sequence.Resequencer}, {@link dev.ordo.time.EventTimeReorderer})
 * does with a message that does not fit: the buffer holds its capacity in messages or bytes, or
 * (for sequence numbers) the message is further ahead of the next expected one than the capacity
 * allows. The bounds and the policy are set through {@link BufferBounds}.
 *
 * <p><b>A single feeding thread.</b> When the thread that offers messages is also the only one that
 * could deliver the message the buffer waits for (one thread reading a channel and feeding the
 * buffer, as a consumer loop does), only a policy that returns at once is safe: {@link #REFUSE}
 * (the sender offers the message again later) or {@link #REJECT} (the caller is told by an
 * exception). {@link #FORCE_GAP} returns at once too, but by skipping data. {@link #BLOCK} would
 * wait for room that only the blocked thread could make; it still runs the gap policy while it
 * waits, but it ends only when that frees room or after {@link BufferBounds#maxBlock()}.
 */
public enum OverflowPolicy {
    /**
     * Block the offering thread until the message fits: a gap is filled or the watermark advances
     * by another thread, or the gap policy frees room (the blocked offer evaluates gap timeouts and
     * runs due redelivery requests itself while it waits). Gives up after
     * {@link BufferBounds#maxBlock()} with an {@link dev.ordo.OverloadedException} naming what the
     * buffer waits for. Never loses a message; with a single feeding thread it ends only by
     * {@code maxBlock} unless the gap policy makes room.
     */
    BLOCK,
    /**
     * Throw an {@link dev.ordo.OverloadedException} at once; the message is not accepted and state is
     * unchanged. Safe with a single feeding thread.
     */
    REJECT,
    /**
     * Stop waiting for the oldest missing data now: a resequencer skips its oldest gap, an event-time
     * reorderer advances its watermark past the oldest buffered event, releasing what waited, until
     * the message fits. Keeps latency and memory bounded at the price of skipped or late messages.
     */
    FORCE_GAP,
    /**
     * Do not take the message and say so in the return value at once ({@code Offer.REFUSED}), without
     * an exception: the sender must offer it again later, as a TCP sender retransmits segments the
     * receiver dropped outside its window. A resequencer remembers the highest refused sequence of
     * each source, so that its redelivery requests and gap reports cover the refused range. Safe with
     * a single feeding thread; nothing is lost as long as the sender keeps what was refused.
     */
    REFUSE
}
