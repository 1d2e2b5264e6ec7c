package dev.ordo.flow;

/**
 * What a reorder buffer ({@link dev.ordo.sequence.Resequencer}, {@link dev.ordo.time.EventTimeReorderer})
 * does with a message that does not fit: the buffer holds its capacity in messages or bytes, or
 * (for sequence numbers) the message is further ahead of the next expected one than the capacity
 * allows.
 */
public enum OverflowPolicy {
    /**
     * Block the offering thread until the message fits: a gap is filled or the watermark advances
     * by another thread, or a timeout fires on a {@code tick()}. Never loses a message, but with
     * nothing to make progress (an untimed gap policy and a single feeding thread) it waits for ever.
     */
    BLOCK,
    /** Throw {@link dev.ordo.OverloadedException}; the message is not accepted and state is unchanged. */
    REJECT,
    /**
     * Stop waiting for the oldest missing data now: a resequencer skips its oldest gap, an event-time
     * reorderer advances its watermark past the oldest buffered event, releasing what waited, until
     * the message fits. Keeps latency and memory bounded at the price of skipped or late messages.
     */
    FORCE_GAP
}
