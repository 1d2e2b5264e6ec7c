package dev.ordo.crdt;

import java.util.Iterator;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The dots a state has seen: per replica a contiguous prefix {@code 1..n} (a version vector) plus the
 * dots seen beyond a gap (a delta carries only a few dots, so gaps are normal until the deltas between
 * arrive). Merging folds dots that close a gap into the prefix, so a replica that has everything holds
 * one number per replica. Immutable.
 */
final class CausalContext {

    static final CausalContext EMPTY = new CausalContext(new TreeMap<>(), new TreeSet<>());

    /** Replica to n: every dot 1..n of it was seen (n >= 1). */
    final TreeMap<String, Long> prefix;

    /** Dots seen beyond their replica's prefix + 1. */
    final TreeSet<Dot> beyond;

    CausalContext(TreeMap<String, Long> prefix, TreeSet<Dot> beyond) {
        this.prefix = prefix;
        this.beyond = beyond;
    }

    /** The context of exactly these dots. */
    static CausalContext of(Set<Dot> dots) {
        return EMPTY.merge(new CausalContext(new TreeMap<>(), new TreeSet<>(dots)));
    }

    boolean contains(Dot dot) {
        return dot.counter() <= prefix.getOrDefault(dot.replica(), 0L) || beyond.contains(dot);
    }

    /** The dot for {@code replica}'s next update: after every dot of it seen. */
    Dot next(String replica) {
        long highest = prefix.getOrDefault(replica, 0L);
        Dot last = beyond.floor(new Dot(replica, Long.MAX_VALUE));
        if (last != null && last.replica().equals(replica)) {
            highest = Math.max(highest, last.counter());
        }
        return new Dot(replica, highest + 1);
    }

    CausalContext merge(CausalContext other) {
        TreeMap<String, Long> mergedPrefix = new TreeMap<>(prefix);
        other.prefix.forEach((replica, n) -> mergedPrefix.merge(replica, n, Math::max));
        TreeSet<Dot> mergedBeyond = new TreeSet<>(beyond);
        mergedBeyond.addAll(other.beyond);
        // In dot order, so that a run of dots closing a gap folds into the prefix one after another.
        for (Iterator<Dot> it = mergedBeyond.iterator(); it.hasNext(); ) {
            Dot dot = it.next();
            long n = mergedPrefix.getOrDefault(dot.replica(), 0L);
            if (dot.counter() <= n + 1) {
                mergedPrefix.put(dot.replica(), Math.max(n, dot.counter()));
                it.remove();
            }
        }
        return new CausalContext(mergedPrefix, mergedBeyond);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CausalContext other && prefix.equals(other.prefix) && beyond.equals(other.beyond);
    }

    @Override
    public int hashCode() {
        return 31 * prefix.hashCode() + beyond.hashCode();
    }

    @Override
    public String toString() {
        return beyond.isEmpty() ? prefix.toString() : prefix + " + " + beyond;
    }

    /** Every replica this context names, in id order (for an encoding's replica table). */
    void replicas(Set<String> into) {
        into.addAll(prefix.keySet());
        for (Dot d : beyond) {
            into.add(d.replica());
        }
    }
}
