package dev.ordo.sequence;

/**
 * A run of consecutive sequence numbers {@code [from, to]} of one source, both ends included: what
 * is missing in a gap, what was skipped, what a sender is asked to send again.
 *
 * @param from the first sequence number, at least 0
 * @param to the last sequence number, at least {@code from}
 */
public record SequenceRange(long from, long to) {

    public SequenceRange {
        if (from < 0) {
            throw new IllegalArgumentException("from must be >= 0, was " + from);
        }
        if (to < from) {
            throw new IllegalArgumentException("to must be >= from (" + from + "), was " + to);
        }
    }

    /** How many sequence numbers the range holds. */
    public long count() {
        return to - from + 1;
    }

    /** {@code [from, to]}. */
    @Override
    public String toString() {
        return "[" + from + ", " + to + "]";
    }
}
