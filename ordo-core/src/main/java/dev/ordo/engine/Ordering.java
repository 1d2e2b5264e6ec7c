package dev.ordo.engine;

import java.nio.charset.StandardCharsets;

/** How a consumer may run records in parallel, and in which order its handler sees them. */
public enum Ordering {
    /** One record at a time per partition: the order of the log. */
    PARTITION,
    /** Parallel across keys, in log order within a key (records without a key: per partition). */
    KEY,
    /** As parallel as the concurrency allows; no order. */
    UNORDERED,
    /**
     * One record at a time, all partitions of the topic merged into one order that every consumer reading
     * them from the same offsets shares, on any machine: by hybrid timestamp ({@link OrdoHeaders#HYBRID_TIMESTAMP},
     * which producers built with {@code .hybridClock(clock)} stamp), then partition, then offset. A record
     * is handed to the handler once every other partition has gone past its stamp, by a later record or a
     * producer heartbeat ({@code .heartbeats(interval)}), so an idle partition costs about the heartbeat
     * interval of latency. The consumer must own every partition: each consumer process uses a group of
     * its own. Concurrency is 1. See docs/ordering-stages.md, "Across machines: Ordering.TOTAL".
     */
    TOTAL;

    /** The execution key every record of {@link #TOTAL} runs under: one, so one record at a time. */
    private static final Object TOTAL_ORDER = "total order";

    /**
     * The key a record runs under on a {@link dev.ordo.exec.KeyOrderedExecutor}: records with equal
     * execution keys run one at a time, in submission order.
     */
    public Object executionKey(int partition, byte[] key, long offset) {
        return switch (this) {
            case PARTITION -> partition;
            case KEY -> key == null ? (Object) partition : new String(key, StandardCharsets.ISO_8859_1);
            case UNORDERED -> partition + ":" + offset;
            case TOTAL -> TOTAL_ORDER;
        };
    }
}
