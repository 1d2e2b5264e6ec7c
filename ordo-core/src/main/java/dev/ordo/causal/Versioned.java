package dev.ordo.causal;

import java.util.Comparator;
import java.util.Objects;

/**
 * One update of a key: its value, the vector clock of the write (what the writer had seen, its own entry
 * incremented), the writer's hybrid timestamp and its replica id. The clock tells a causally later update
 * from a concurrent one; the timestamp and replica order concurrent ones the same way on every replica.
 *
 * @param value the value written (may be null only if the resolver accepts it)
 * @param clock the write's vector clock
 * @param timestamp the write's hybrid timestamp
 * @param replica the writer's id
 */
public record Versioned<V>(V value, VectorClock clock, HybridTimestamp timestamp, String replica) {

    /**
     * The order every replica gives concurrent versions: by timestamp, then replica id, then (for a
     * misbehaving writer that reused both) by clock.
     */
    static final Comparator<Versioned<?>> ORDER = Comparator.<Versioned<?>, HybridTimestamp>comparing(
                    Versioned::timestamp)
            .thenComparing(Versioned::replica)
            .thenComparing(v -> v.clock().toString());

    public Versioned {
        Objects.requireNonNull(clock, "clock must not be null");
        Objects.requireNonNull(timestamp, "timestamp must not be null");
        Objects.requireNonNull(replica, "replica must not be null");
    }
}
