package dev.ordo.engine;

/** How a consumer may run records in parallel. */
public enum Ordering {
    /** One record at a time per partition: the order of the log. */
    PARTITION,
    /** Parallel across keys, in log order within a key (records without a key: per partition). */
    KEY,
    /** As parallel as the concurrency allows; no order. */
    UNORDERED
}
