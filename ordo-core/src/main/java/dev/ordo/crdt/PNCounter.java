package dev.ordo.crdt;

import java.util.Objects;

/**
 * A counter that goes up and down: two {@link GCounter}s, one of what was added and one of what was
 * subtracted; the value their difference. A ledger's deposits and withdrawals as deltas of a PN-Counter
 * give the same balance on every replica whatever order they arrive in, duplicates included.
 *
 * <pre>{@code
 * PNCounter delta = balance.add("teller-1", -300);   // a withdrawal
 * balance = balance.merge(delta);
 * }</pre>
 *
 * <p>Encoding: tag {@code 0x50}, then the additions and the subtractions, each as a G-Counter's body
 * (varint replica count; per replica its length-prefixed UTF-8 id and varint count).
 */
public final class PNCounter implements Crdt<PNCounter> {

    static final int TAG = 0x50;
    private static final PNCounter EMPTY = new PNCounter(GCounter.empty(), GCounter.empty());

    private final GCounter added;
    private final GCounter subtracted;

    private PNCounter(GCounter added, GCounter subtracted) {
        this.added = added;
        this.subtracted = subtracted;
    }

    /** The counter at 0. */
    public static PNCounter empty() {
        return EMPTY;
    }

    /**
     * The delta that adds {@code amount} (negative: subtracts) by {@code replica}.
     *
     * @throws IllegalArgumentException if {@code amount} is {@link Long#MIN_VALUE}
     * @throws ArithmeticException if the replica's total added or subtracted would pass {@link Long#MAX_VALUE}
     */
    public PNCounter add(String replica, long amount) {
        Objects.requireNonNull(replica, "replica must not be null");
        if (amount == Long.MIN_VALUE) {
            throw new IllegalArgumentException("PN-Counter amount must be > " + Long.MIN_VALUE + ", was " + amount);
        }
        return amount >= 0
                ? new PNCounter(added.increment(replica, amount), GCounter.empty())
                : new PNCounter(GCounter.empty(), subtracted.increment(replica, -amount));
    }

    /** What was added less what was subtracted. */
    public long value() {
        return Math.subtractExact(added.value(), subtracted.value());
    }

    /** What was added, per replica. */
    public GCounter added() {
        return added;
    }

    /** What was subtracted, per replica. */
    public GCounter subtracted() {
        return subtracted;
    }

    @Override
    public PNCounter merge(PNCounter other) {
        return new PNCounter(added.merge(other.added), subtracted.merge(other.subtracted));
    }

    /** The binary form (see the class comment). */
    public byte[] encode() {
        Encoding.Writer out = new Encoding.Writer(TAG);
        added.write(out);
        subtracted.write(out);
        return out.toByteArray();
    }

    /**
     * Reads {@link #encode()}'s form.
     *
     * @throws IllegalArgumentException if the bytes are not a PN-Counter's encoding
     */
    public static PNCounter decode(byte[] bytes) {
        Encoding.Reader in = new Encoding.Reader(bytes, "PN-Counter", TAG);
        PNCounter counter = new PNCounter(GCounter.read(in), GCounter.read(in));
        in.end();
        return counter;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PNCounter other && added.equals(other.added) && subtracted.equals(other.subtracted);
    }

    @Override
    public int hashCode() {
        return 31 * added.hashCode() + subtracted.hashCode();
    }

    /** Like {@code 700 (+{a=1000} -{b=300})}. */
    @Override
    public String toString() {
        return value() + " (+" + added.counts() + " -" + subtracted.counts() + ")";
    }
}
