package dev.ordo.check;

/** The kinds of delivery errors the {@link OrderingChecker} finds. */
public enum Anomaly {
    /** Sent and never received. */
    LOST,
    /** Received more than once (each extra receipt counts once). */
    DUPLICATED,
    /** Received before a message of the same key that was sent earlier. */
    REORDERED,
    /** A receipt that skips sequence numbers of its source not received yet (one per skip). */
    GAP,
    /** Received but never sent, or received with a different key or source than it was sent with. */
    UNEXPECTED,
    /** Delivered at a process before a message that causally precedes it was delivered there. */
    CAUSAL_VIOLATION,
    /** Two replicas that must agree on one total order delivered different messages at the same position. */
    TOTAL_ORDER_DISAGREEMENT
}
