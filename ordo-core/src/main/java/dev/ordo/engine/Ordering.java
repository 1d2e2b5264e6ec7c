package dev.ordo.engine;

import java.nio.charset.StandardCharsets;

/** How a consumer may run records in parallel. */
public enum Ordering {
    /** One record at a time per partition: the order of the log. */
    PARTITION,
    /** Parallel across keys, in log order within a key (records without a key: per partition). */
    KEY,
    /** As parallel as the concurrency allows; no order. */
    UNORDERED;

    /**
     * The key a record runs under on a {@link dev.ordo.exec.KeyOrderedExecutor}: records with equal
     * execution keys run one at a time, in submission order.
     */
    public Object executionKey(int partition, byte[] key, long offset) {
        return switch (this) {
            case PARTITION -> partition;
            case KEY -> key == null ? (Object) partition : new String(key, StandardCharsets.ISO_8859_1);
            case UNORDERED -> partition + ":" + offset;
        };
    }
}
