package dev.ordo.kafka;

import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * The offsets handled beyond a committed offset, carried in the commit's metadata string so that a
 * restart (or the partition's next owner) skips them instead of handling them again. The format is
 * {@code ordo1:} followed by comma-separated base-36 distances from the committed offset; it stays
 * within {@code maxChars} (Kafka's {@code offset.metadata.max.bytes} is 4,096 by default) by leaving
 * out the highest offsets, which are then handled again: a shorter list costs repeats, never loss.
 */
final class CompletedOffsets {

    static final String PREFIX = "ordo1:";
    static final int MAX_CHARS = 4_000;

    private CompletedOffsets() {}

    static String encode(long committed, long[] completed, int maxChars) {
        StringBuilder out = new StringBuilder(PREFIX);
        for (long offset : completed) {
            String item = Long.toString(offset - committed, 36);
            if (out.length() + item.length() + 1 > maxChars) {
                break;
            }
            if (out.length() > PREFIX.length()) {
                out.append(',');
            }
            out.append(item);
        }
        return out.length() == PREFIX.length() ? "" : out.toString();
    }

    /** The offsets in {@code metadata} (empty if it is not Ordo's or is damaged). */
    static NavigableSet<Long> decode(long committed, String metadata) {
        NavigableSet<Long> offsets = new TreeSet<>();
        if (metadata == null || !metadata.startsWith(PREFIX)) {
            return offsets;
        }
        try {
            for (String item : metadata.substring(PREFIX.length()).split(",")) {
                long distance = Long.parseLong(item, 36);
                if (distance > 0) {
                    offsets.add(committed + distance);
                }
            }
        } catch (NumberFormatException e) {
            offsets.clear(); // foreign or damaged: handle everything again rather than skip wrongly
        }
        return offsets;
    }
}
