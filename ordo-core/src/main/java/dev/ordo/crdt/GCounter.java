package dev.ordo.crdt;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A grow-only counter: one count per replica, the value their sum, merge the per-replica maximum.
 *
 * <pre>{@code
 * GCounter delta = views.increment("web-1", 3);   // {web-1=<its count + 3>}
 * views = views.merge(delta);
 * long total = views.value();
 * }</pre>
 *
 * <p>Encoding: tag {@code 0x47}, varint replica count, then per replica in name order its UTF-8 id
 * (varint length, bytes) and its varint count.
 */
public final class GCounter implements Crdt<GCounter> {

    static final int TAG = 0x47;
    private static final GCounter EMPTY = new GCounter(new TreeMap<>());

    /** Replica id to count (above 0), in id order. */
    private final TreeMap<String, Long> counts;

    private GCounter(TreeMap<String, Long> counts) {
        this.counts = counts;
    }

    /** The counter at 0. */
    public static GCounter empty() {
        return EMPTY;
    }

    /**
     * The delta that adds {@code amount} to {@code replica}'s count: merge it here and send it to the others.
     *
     * @throws IllegalArgumentException if {@code amount} is negative (a G-Counter only grows)
     * @throws ArithmeticException if the replica's count would pass {@link Long#MAX_VALUE}
     */
    public GCounter increment(String replica, long amount) {
        Objects.requireNonNull(replica, "replica must not be null");
        if (amount < 0) {
            throw new IllegalArgumentException("G-Counter increment must be >= 0, was " + amount);
        }
        long count = Math.addExact(count(replica), amount);
        if (count == 0) {
            return EMPTY;
        }
        TreeMap<String, Long> delta = new TreeMap<>();
        delta.put(replica, count);
        return new GCounter(delta);
    }

    /** The sum of every replica's count. */
    public long value() {
        long sum = 0;
        for (long c : counts.values()) {
            sum = Math.addExact(sum, c);
        }
        return sum;
    }

    /** {@code replica}'s count (0 if it never incremented). */
    public long count(String replica) {
        return counts.getOrDefault(replica, 0L);
    }

    /** Every replica's count, by id. */
    public Map<String, Long> counts() {
        return Collections.unmodifiableMap(counts);
    }

    @Override
    public GCounter merge(GCounter other) {
        TreeMap<String, Long> merged = new TreeMap<>(counts);
        other.counts.forEach((replica, count) -> merged.merge(replica, count, Math::max));
        return new GCounter(merged);
    }

    /** The binary form (see the class comment). */
    public byte[] encode() {
        Encoding.Writer out = new Encoding.Writer(TAG);
        write(out);
        return out.toByteArray();
    }

    void write(Encoding.Writer out) {
        out.varint(counts.size());
        counts.forEach((replica, count) -> out.string(replica).varint(count));
    }

    /**
     * Reads {@link #encode()}'s form.
     *
     * @throws IllegalArgumentException if the bytes are not a G-Counter's encoding
     */
    public static GCounter decode(byte[] bytes) {
        Encoding.Reader in = new Encoding.Reader(bytes, "G-Counter", TAG);
        GCounter counter = read(in);
        in.end();
        return counter;
    }

    static GCounter read(Encoding.Reader in) {
        int size = in.count("replica count");
        TreeMap<String, Long> counts = new TreeMap<>();
        for (int i = 0; i < size; i++) {
            String replica = in.string("replica id");
            long count = in.varint("count of replica " + replica);
            if (counts.put(replica, count) != null) {
                throw in.damaged("replica id", "appears twice, was " + replica);
            }
        }
        counts.values().removeIf(c -> c == 0);
        return new GCounter(counts);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GCounter other && counts.equals(other.counts);
    }

    @Override
    public int hashCode() {
        return counts.hashCode();
    }

    /** Like {@code 7 {a=3, b=4}}. */
    @Override
    public String toString() {
        return value() + " " + counts;
    }
}
