package dev.ordo.causal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The value of one key as a replica sees it: the updates received that no other received update
 * supersedes, and their resolved value. An update whose vector clock is after a held version's replaces it,
 * one before (or equal to) a held version's is already superseded (a late or duplicate delivery), and one
 * concurrent with them is held beside them; the held versions, the maximal updates received, do not depend
 * on the order the updates arrived in, and the {@link ConflictResolver} gets them in one fixed order, so
 * replicas that received the same updates agree on the value.
 *
 * <pre>{@code
 * VersionedValue<String> address = VersionedValue.empty(ConflictResolver.lastWriterWins());
 * Versioned<String> mine = address.write("eu-1", "Main St 1", clock.now()); // send it to the other replicas
 * address = address.apply(mine).apply(received);
 * address.value();                                                          // the same on every replica
 * }</pre>
 *
 * <p>Immutable. Held versions are at most one per writer when each writer's clock counts its own writes
 * (as {@link #write} does): two writes of one writer are never concurrent.
 *
 * @param <V> the value type
 */
public final class VersionedValue<V> {

    private final ConflictResolver<V> resolver;
    /** Pairwise concurrent, in {@link Versioned#ORDER}. */
    private final List<Versioned<V>> versions;

    private final V value;
    private final VectorClock clock;

    private VersionedValue(ConflictResolver<V> resolver, List<Versioned<V>> versions) {
        this.resolver = resolver;
        this.versions = versions;
        this.value = versions.isEmpty()
                ? null
                : versions.size() == 1 ? versions.get(0).value() : resolver.resolve(versions);
        VectorClock seen = VectorClock.empty();
        for (Versioned<V> v : versions) {
            seen = seen.merge(v.clock());
        }
        this.clock = seen;
    }

    /** No update yet; concurrent ones will be resolved by {@code resolver}. */
    public static <V> VersionedValue<V> empty(ConflictResolver<V> resolver) {
        return new VersionedValue<>(Objects.requireNonNull(resolver, "resolver must not be null"), List.of());
    }

    /**
     * This value after {@code update}: unchanged if a held version supersedes it or it was applied already,
     * else with it and without the versions it supersedes.
     *
     * @throws IllegalArgumentException if a held version has the update's clock but another value (two
     *         writes with one clock: a writer that did not count its write)
     */
    public VersionedValue<V> apply(Versioned<V> update) {
        Objects.requireNonNull(update, "update must not be null");
        List<Versioned<V>> kept = new ArrayList<>(versions.size() + 1);
        for (Versioned<V> held : versions) {
            switch (update.clock().compareTo(held.clock())) {
                case BEFORE:
                    return this;
                case EQUAL:
                    if (!Objects.equals(update.value(), held.value())) {
                        throw new IllegalArgumentException("update with clock " + update.clock() + " by "
                                + update.replica() + " has value " + update.value() + ", but the version held "
                                + "with that clock has " + held.value());
                    }
                    return this;
                case AFTER:
                    break; // superseded: the update's writer had seen it
                case CONCURRENT:
                    kept.add(held);
                    break;
            }
        }
        kept.add(update);
        kept.sort(Versioned.ORDER);
        return new VersionedValue<>(resolver, List.copyOf(kept));
    }

    /**
     * The update a local write of {@code value} by {@code replica} makes: its clock is after every version
     * held, so it supersedes them (the writer has resolved the conflict) wherever it arrives. Apply it here
     * and send it to the other replicas.
     */
    public Versioned<V> write(String replica, V value, HybridTimestamp timestamp) {
        return new Versioned<>(value, clock.increment(replica), timestamp, replica);
    }

    /** The resolved value; empty before the first update. */
    public Optional<V> value() {
        return Optional.ofNullable(value);
    }

    /** The versions held: one, or several concurrent ones (a conflict), in the order the resolver gets them. */
    public List<Versioned<V>> versions() {
        return versions;
    }

    /** Whether concurrent versions are held (the value is a resolution). */
    public boolean conflicted() {
        return versions.size() > 1;
    }

    /** The merge of the held versions' clocks: what this replica has seen of the key. */
    public VectorClock clock() {
        return clock;
    }

    @Override
    public String toString() {
        return value + (conflicted() ? " (resolved from " + versions.size() + " concurrent versions)" : "");
    }
}
