package dev.ordo.check;

/**
 * The kinds of delivery errors the {@link OrderingChecker} finds, each with its {@link Severity}.
 * Each problem is counted under one kind only: a lost message is LOST (not also a GAP), a late one
 * REORDERED (not also a GAP), an extra copy DUPLICATED.
 */
public enum Anomaly {
    /** Sent and never received. Critical: the application never applied it. */
    LOST(Severity.CRITICAL),
    /**
     * Received more than once (each extra receipt counts once). A warning: harmless where a later
     * stage drops it or the handler is idempotent, state-corrupting where neither holds.
     */
    DUPLICATED(Severity.WARNING),
    /**
     * Received after a message of the same key that was sent later. Critical: it was applied on
     * top of a state it must precede (a withdrawal before its deposit).
     */
    REORDERED(Severity.CRITICAL),
    /**
     * A hole in a source's sequence that nothing in the history accounts for: a run of numbers
     * between the source's lowest and highest sequence that no send and no receipt carries (one
     * per run). The sender skipped them or the history misses sends; a resequencer downstream
     * waits for them. A warning: no message known to have been sent is missing.
     */
    GAP(Severity.WARNING),
    /**
     * Received but never sent, or received with a different key or source than it was sent with.
     * Critical: something the producer never sent (or sent elsewhere) was applied.
     */
    UNEXPECTED(Severity.CRITICAL),
    /**
     * Read from a partition its key does not map to under the topic's layout. A warning: the key's
     * records are split across partitions, so nothing keeps them in order any more; an actual
     * reorder is reported as REORDERED.
     */
    PARTITION_MISMATCH(Severity.WARNING),
    /**
     * An event time beyond the bounds around its receipt's (or send's) time. Info: the delivery was
     * exact; event-time stages will treat the message as late or move their watermark by it.
     */
    TIMESTAMP_ANOMALY(Severity.INFO),
    /** Delivered at a process before a message that causally precedes it was delivered there. Critical. */
    CAUSAL_VIOLATION(Severity.CRITICAL),
    /**
     * Two replicas that must agree on one total order delivered different messages at the same
     * position. Critical: the replicas' states diverge.
     */
    TOTAL_ORDER_DISAGREEMENT(Severity.CRITICAL);

    private final Severity severity;

    Anomaly(Severity severity) {
        this.severity = severity;
    }

    /** How bad this kind of anomaly is; see each constant for why. */
    public Severity severity() {
        return severity;
    }
}
