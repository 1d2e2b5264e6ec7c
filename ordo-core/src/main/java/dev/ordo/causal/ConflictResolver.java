package dev.ordo.causal;

import java.util.List;
import java.util.function.BinaryOperator;

/**
 * How concurrent updates of one key (two writers, two regions, neither having seen the other's write)
 * become one value. A {@link VersionedValue} decides what is concurrent with the vector clocks (a causally
 * later update simply replaces what it has seen) and hands the resolver the concurrent versions always in
 * the same order, so every replica that received the same updates resolves them to the same value,
 * whatever order they arrived in.
 *
 * <pre>{@code
 * ConflictResolver<String> lww = ConflictResolver.lastWriterWins();
 * ConflictResolver<Set<String>> union = ConflictResolver.merging(Sets::union);
 * ConflictResolver<PNCounter> crdt = Crdt.resolver();
 * }</pre>
 *
 * @param <V> the value type
 */
public interface ConflictResolver<V> {

    /**
     * The value of {@code concurrent}.
     *
     * @param concurrent two or more versions none of which happened before another, ordered by timestamp,
     *        then replica id (the last is the last writer)
     */
    V resolve(List<Versioned<V>> concurrent);

    /** The value with the latest hybrid timestamp wins; on a tie, the one of the higher replica id. */
    static <V> ConflictResolver<V> lastWriterWins() {
        return new LastWriterWins<>();
    }

    /**
     * The values are folded with {@code merge}, earliest first: {@code merge(merge(v1, v2), v3)}. Every replica
     * folds all the concurrent versions it holds, in the same order, so replicas agree even if the function is
     * neither commutative nor associative.
     */
    static <V> ConflictResolver<V> merging(BinaryOperator<V> merge) {
        return new MergeFunction<>(merge);
    }
}
