package dev.ordo.partition;

import dev.ordo.Arguments;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The heaviest keys of a stream in bounded memory: the Space-Saving sketch (Metwally, Agrawal and El
 * Abbadi, 2005). It keeps {@code capacity} counters; a key not among them takes over the smallest, whose
 * count it inherits as its possible overcount. Every key seen more than {@code total / capacity} times is
 * among the counters, and each counter overstates its key by at most its {@link Hot#error()}.
 *
 * <pre>{@code
 * HotKeys<String> hot = new HotKeys<>(32);
 * records.forEach(r -> hot.add(r.key(), 1));
 * hot.top(5); // the five heaviest, with their counts and error bounds
 * }</pre>
 *
 * Not thread-safe: one per partition reader, or guarded by the caller. A miss costs a scan of the
 * counters, so keep the capacity in the tens.
 *
 * @param <K> the key type (equals and hashCode)
 */
public final class HotKeys<K> {

    /** A key with its counted weight, and by how much at most that overstates it. */
    public record Hot<K>(K key, long count, long error) {
        /** The weight the key surely has: its count less the possible overcount. */
        public long guaranteed() {
            return count - error;
        }
    }

    private final int capacity;
    private final Map<K, long[]> counters; // {count, error}
    private long total;

    /** A sketch of {@code capacity} counters (1 to 10,000). */
    public HotKeys(int capacity) {
        Arguments.atLeast("capacity", capacity, 1);
        if (capacity > 10_000) {
            throw new IllegalArgumentException("capacity must be <= 10000, was " + capacity);
        }
        this.capacity = capacity;
        this.counters = new HashMap<>(capacity * 2);
    }

    /** Counts {@code weight} (records, bytes, nanoseconds of handling) for {@code key}. */
    public void add(K key, long weight) {
        Arguments.atLeast("weight", weight, 0);
        total += weight;
        long[] c = counters.get(key);
        if (c != null) {
            c[0] += weight;
            return;
        }
        if (counters.size() < capacity) {
            counters.put(key, new long[] {weight, 0});
            return;
        }
        K smallest = null;
        long min = Long.MAX_VALUE;
        for (Map.Entry<K, long[]> e : counters.entrySet()) {
            if (e.getValue()[0] < min) {
                min = e.getValue()[0];
                smallest = e.getKey();
            }
        }
        counters.remove(smallest);
        counters.put(key, new long[] {min + weight, min});
    }

    /** The {@code n} heaviest keys, heaviest first. */
    public List<Hot<K>> top(int n) {
        List<Hot<K>> all = new ArrayList<>(counters.size());
        counters.forEach((k, c) -> all.add(new Hot<>(k, c[0], c[1])));
        all.sort(Comparator.comparingLong((Hot<K> h) -> h.count()).reversed());
        return List.copyOf(all.subList(0, Math.min(n, all.size())));
    }

    /** The weight counted so far, over every key. */
    public long total() {
        return total;
    }

    /** Forgets everything (a new window). */
    public void clear() {
        counters.clear();
        total = 0;
    }
}
