package dev.ordo.sequence;

import java.util.List;

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

    /**
     * {@code ranges} for a log line or a console: all of them when there are a few, else the first few and
     * how many more ({@code [3, 4], [9, 9], [12, 15] and 41 more ranges, 97 numbers in all}).
     */
    public static String summarize(List<SequenceRange> ranges) {
        int shown = Math.min(ranges.size(), 3);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < shown; i++) {
            text.append(i == 0 ? "" : ", ").append(ranges.get(i));
        }
        if (ranges.size() > shown) {
            long numbers = ranges.stream().mapToLong(SequenceRange::count).sum();
            text.append(" and ")
                    .append(ranges.size() - shown)
                    .append(" more ranges, ")
                    .append(numbers)
                    .append(" numbers in all");
        }
        return text.toString();
    }

    /** {@code [from, to]}. */
    @Override
    public String toString() {
        return "[" + from + ", " + to + "]";
    }
}
