package dev.ordo.crdt;

import dev.ordo.causal.HybridTimestamp;
import java.util.Objects;

/**
 * When and by whom a last-writer-wins value was written: ordered by hybrid timestamp, then by replica id,
 * so that every replica picks the same winner of two writes in the same millisecond and counter.
 */
record Stamp(HybridTimestamp timestamp, String replica) implements Comparable<Stamp> {

    Stamp {
        Objects.requireNonNull(timestamp, "timestamp must not be null");
        Objects.requireNonNull(replica, "replica must not be null");
    }

    @Override
    public int compareTo(Stamp other) {
        int byTime = timestamp.compareTo(other.timestamp);
        return byTime != 0 ? byTime : replica.compareTo(other.replica);
    }

    /**
     * The later of two writes; for one stamp, either if they wrote equal values.
     *
     * @throws IllegalArgumentException if one stamp carries two different values (a replica reused a timestamp)
     */
    static <V> boolean secondWins(Stamp first, V firstValue, Stamp second, V secondValue) {
        int c = first.compareTo(second);
        if (c == 0 && !Objects.equals(firstValue, secondValue)) {
            throw new IllegalArgumentException("replica " + first.replica + " wrote two values at timestamp "
                    + first.timestamp + ": " + firstValue + " and " + secondValue
                    + "; a replica must stamp each write anew (HybridLogicalClock.now())");
        }
        return c < 0;
    }

    @Override
    public String toString() {
        return timestamp + "@" + replica;
    }
}
