package dev.ordo.causal;

import java.util.List;
import java.util.Objects;
import java.util.function.BinaryOperator;

/** {@link ConflictResolver#merging}: the concurrent values folded with the application's function, in order. */
final class MergeFunction<V> implements ConflictResolver<V> {

    private final BinaryOperator<V> merge;

    MergeFunction(BinaryOperator<V> merge) {
        this.merge = Objects.requireNonNull(merge, "merge must not be null");
    }

    @Override
    public V resolve(List<Versioned<V>> concurrent) {
        V merged = concurrent.get(0).value();
        for (int i = 1; i < concurrent.size(); i++) {
            merged = merge.apply(merged, concurrent.get(i).value());
        }
        return merged;
    }

    @Override
    public String toString() {
        return "merge function " + merge;
    }
}
