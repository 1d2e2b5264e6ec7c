package dev.ordo.causal;

/**
 * A hybrid logical clock reading: physical milliseconds plus a logical counter that orders
 * events within the same millisecond (and events whose physical clock lags a remote one).
 *
 * <p>Ordered by {@code physical}, then {@code logical}. Packs into one {@code long} (48 bits of
 * milliseconds, good until the year 10889, and 16 bits of counter) for compact headers.
 *
 * @param physical milliseconds since the epoch, in [0, 2^48)
 * @param logical counter, in [0, 65535]
 */
public record HybridTimestamp(long physical, int logical) implements Comparable<HybridTimestamp> {

    static final int LOGICAL_BITS = 16;
    static final int MAX_LOGICAL = (1 << LOGICAL_BITS) - 1;
    static final long MAX_PHYSICAL = (1L << (64 - LOGICAL_BITS)) - 1;

    public HybridTimestamp {
        if (physical < 0 || physical > MAX_PHYSICAL) {
            throw new IllegalArgumentException("physical must be in [0, 2^48), was " + physical);
        }
        if (logical < 0 || logical > MAX_LOGICAL) {
            throw new IllegalArgumentException("logical must be in [0, 65535], was " + logical);
        }
    }

    /** Unpacks {@link #pack()}. */
    public static HybridTimestamp unpack(long packed) {
        return new HybridTimestamp(packed >>> LOGICAL_BITS, (int) (packed & MAX_LOGICAL));
    }

    /** This timestamp as one long whose natural order is the timestamp order. */
    public long pack() {
        return physical << LOGICAL_BITS | logical;
    }

    @Override
    public int compareTo(HybridTimestamp other) {
        int byPhysical = Long.compare(physical, other.physical);
        return byPhysical != 0 ? byPhysical : Integer.compare(logical, other.logical);
    }

    @Override
    public String toString() {
        return physical + "." + logical;
    }
}
