package dev.ordo.sequence;

/**
 * What a {@link Resequencer} does with a message that does not fit: its buffer holds its capacity
 * in messages or bytes, or the message is further ahead of the next expected sequence than the
 * capacity allows.
 */
public enum OverflowPolicy {
    /**
     * Block the offering thread until the message fits: a gap is filled by another thread or
     * handled by the gap policy on a {@link Resequencer#tick()}. Never loses a message, but with
     * {@link GapPolicy#waitForever()} and a single feeding thread it waits for ever.
     */
    BLOCK,
    /** Throw {@link dev.ordo.OverloadedException}; the message is not accepted and state is unchanged. */
    REJECT,
    /**
     * Apply the gap policy's outcome now: skip the oldest gap (releasing what waits behind it)
     * until the message fits. Keeps latency and memory bounded at the price of skipped messages.
     */
    FORCE_GAP
}
