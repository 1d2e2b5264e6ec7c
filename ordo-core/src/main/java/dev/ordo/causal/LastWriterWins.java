package dev.ordo.causal;

import java.util.List;

/** {@link ConflictResolver#lastWriterWins()}: the concurrent versions arrive ordered, the last wins. */
final class LastWriterWins<V> implements ConflictResolver<V> {

    @Override
    public V resolve(List<Versioned<V>> concurrent) {
        return concurrent.get(concurrent.size() - 1).value();
    }

    @Override
    public String toString() {
        return "last writer wins";
    }
}
