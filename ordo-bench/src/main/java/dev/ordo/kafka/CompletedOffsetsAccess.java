package dev.ordo.kafka;

/**
 * Benchmark glue: opens the package-private {@link CompletedOffsets} (the offsets handled beyond a
 * commit, in the commit's metadata) to {@code CompletedOffsetsProbe}, which compares its format with
 * the {@code ordo1:} format of earlier versions. Lives in the Kafka backend's package because the
 * format is no API; used only by the probe.
 */
public final class CompletedOffsetsAccess {

    /** Kafka's default {@code offset.metadata.max.bytes} less a margin, as the consumer commits. */
    public static final int MAX_CHARS = CompletedOffsets.MAX_CHARS;

    private CompletedOffsetsAccess() {}

    public static String encode(long committed, long[] completed, int maxChars) {
        return CompletedOffsets.encode(committed, completed, maxChars);
    }

    public static String encodeOrdo1(long committed, long[] completed, int maxChars) {
        return CompletedOffsets.encodeOrdo1(committed, completed, maxChars);
    }

    /** How many offsets {@code metadata} carries, checked to be the lowest of {@code completed}. */
    public static int carried(long committed, long[] completed, String metadata) {
        int i = 0;
        for (long offset : CompletedOffsets.decode(committed, metadata)) {
            if (i == completed.length || offset != completed[i]) {
                throw new IllegalStateException("decoded offset " + offset + " is not the completed offset at " + i);
            }
            i++;
        }
        return i;
    }
}
