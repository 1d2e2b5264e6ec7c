package dev.ordo.engine.core;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The time the application's handler spent on each partition's records, summed: the consumer's side of
 * a partition's load (a partition of few records that are slow to handle weighs more than its rate
 * says). Measured only for a consumer with meters, as it costs two clock reads per record.
 */
final class HandlerTime {

    private final ConcurrentHashMap<Integer, LongAdder> nanos = new ConcurrentHashMap<>();

    /** The handler spent {@code elapsed} nanoseconds on a record of {@code partition}. */
    void add(int partition, long elapsed) {
        nanos.computeIfAbsent(partition, p -> new LongAdder()).add(elapsed);
    }

    /** Seconds spent so far on {@code partition}'s records. */
    double seconds(int partition) {
        LongAdder sum = nanos.get(partition);
        return sum == null ? 0 : sum.sum() / 1e9;
    }
}
