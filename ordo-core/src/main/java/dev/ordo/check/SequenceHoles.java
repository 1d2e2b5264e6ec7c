package dev.ordo.check;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sequence numbers a history knows per source (from its sends and its first receipts), and
 * the runs of numbers between a source's lowest and highest that none of them carries: the
 * checker's {@link Anomaly#GAP gaps}. A lost message's number is known from its send and a late
 * message's from its receipt, so neither leaves a hole.
 */
final class SequenceHoles {

    /** Per source, in order of first appearance so that the first gap reported is stable. */
    private final Map<String, Numbers> known = new LinkedHashMap<>();

    void add(String source, long sequence) {
        known.computeIfAbsent(source, s -> new Numbers()).add(sequence);
    }

    /** Adds one {@link Anomaly#GAP} per run of unknown numbers to {@code tally}. */
    void report(Tally tally) {
        known.forEach((source, numbers) -> {
            long[] sorted = numbers.sorted();
            for (int i = 1; i < sorted.length; i++) {
                long below = sorted[i - 1];
                long above = sorted[i];
                if (above > below + 1) {
                    tally.add(
                            Anomaly.GAP,
                            () -> "source " + source + " never sent nor delivered sequence " + (below + 1)
                                    + (above - 1 > below + 1 ? ".." + (above - 1) : "") + " (between " + below
                                    + " and " + above + ")");
                }
            }
        });
    }

    /** A growable array of longs: a source's numbers, with repeats, sorted once at the end. */
    private static final class Numbers {
        private long[] values = new long[16];
        private int size;

        void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        long[] sorted() {
            long[] sorted = Arrays.copyOf(values, size);
            Arrays.sort(sorted);
            return sorted;
        }
    }
}
