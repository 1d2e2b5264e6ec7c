package dev.ordo.crdt;

import dev.ordo.causal.ConflictResolver;
import dev.ordo.causal.Versioned;
import java.util.List;

/** Resolves concurrent versions of a CRDT value by merging them all ({@link Crdt#resolver()}). */
final class CrdtMerge<T extends Crdt<T>> implements ConflictResolver<T> {

    @Override
    public T resolve(List<Versioned<T>> concurrent) {
        T merged = concurrent.get(0).value();
        for (int i = 1; i < concurrent.size(); i++) {
            merged = merged.merge(concurrent.get(i).value());
        }
        return merged;
    }

    @Override
    public String toString() {
        return "CRDT merge";
    }
}
