package dev.ordo.check;

/**
 * How bad an ordering anomaly is for the application that received the stream, so that an
 * operator can page on one class and only count another. Every {@link Anomaly} and every
 * {@link OrderingMonitor.Violation} has exactly one; reports, JSON and the
 * {@code ordo.ordering.violations{severity}} meter carry it.
 *
 * <p>Declared from the mildest to the worst, so {@code compareTo} ranks them and the maximum of a
 * set is its worst member.
 */
public enum Severity {
    /**
     * Delivery itself was exact and in order; a property of the data is suspect (an event time far
     * from the clock). Event-time stages will see it as lateness or as a jump of the watermark.
     */
    INFO,
    /**
     * An ordering guarantee is weakened or a later stage has to absorb the problem: a duplicate is
     * harmless only where a later stage drops it or the handler is idempotent; a record in the
     * wrong partition may be reordered against its key's other records; a sequence hole stalls a
     * resequencer that waits for it. Nothing is known to be wrong in the application's state yet.
     */
    WARNING,
    /**
     * The application's state is, or is likely to be, wrong: a sent message never arrived, a
     * message was applied before one it must follow, a message nobody sent was applied, or replicas
     * disagree on the order. Act on it.
     */
    CRITICAL
}
