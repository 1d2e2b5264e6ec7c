package dev.ordo.crdt;

import dev.ordo.causal.ConflictResolver;

/**
 * A delta-state conflict-free replicated data type: every update method returns a small <em>delta</em>,
 * itself a state of the same type, and {@link #merge} joins any two states. Merge is commutative,
 * associative and idempotent, so replicas that receive the same deltas in any order, any number of times
 * each, reach the same state. This is what lets records carrying deltas skip the ordering machinery
 * (see {@link dev.ordo.engine.ConsumerBuilder#commutative}).
 *
 * <pre>{@code
 * PNCounter balance = PNCounter.empty();
 * PNCounter delta = balance.add("teller-1", 500);   // send delta.encode() as the record's value
 * balance = balance.merge(delta);                   // apply locally, and on every replica that receives it
 * }</pre>
 *
 * <p>All types are immutable; replica ids are explicit strings (a replica that updates must have an id no
 * other replica uses). Each type has a compact binary form ({@code encode()} / {@code decode(bytes)},
 * described in {@code docs/crdt.md}); a damaged encoding is refused with an {@link IllegalArgumentException}
 * naming the field and the value.
 *
 * @param <T> the type itself
 */
public sealed interface Crdt<T extends Crdt<T>> permits GCounter, PNCounter, ORSet, LwwRegister, LwwMap {

    /** The join of this state and {@code other}: commutative, associative and idempotent. */
    T merge(T other);

    /**
     * The conflict resolver that resolves concurrent versions of one key by merging them: for keys whose
     * values are whole CRDT states.
     */
    static <T extends Crdt<T>> ConflictResolver<T> resolver() {
        return new CrdtMerge<>();
    }
}
