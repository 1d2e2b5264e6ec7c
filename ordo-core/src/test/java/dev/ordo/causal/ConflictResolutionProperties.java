package dev.ordo.causal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.crdt.Crdt;
import dev.ordo.crdt.GCounter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.BiFunction;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever the strategy, replicas that receive the same updates of a key agree on its value: three writers
 * write (each on what it has seen, now and then taking in another's update first, so that some updates are
 * causally later and some concurrent), and three replicas that receive every update in their own random
 * order, some of them twice or more, hold the same versions and resolve the same value.
 */
class ConflictResolutionProperties {

    private static final String[] WRITERS = {"eu", "us", "ap"};

    /** A write by {@code writer}; an odd {@code gossip} first takes in an earlier update. */
    record Op(int writer, int argument, int gossip) {}

    @Provide
    Arbitrary<List<Op>> operations() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, 2),
                        Arbitraries.integers().between(0, 50),
                        Arbitraries.integers().between(0, 1_000))
                .as(Op::new)
                .list()
                .ofMinSize(1)
                .ofMaxSize(30);
    }

    @Property(tries = 300)
    void lastWriterWinsResolvesAlikeOnEveryReplica(@ForAll("operations") List<Op> ops, @ForAll long seed) {
        assertConverges(ConflictResolver.lastWriterWins(), ops, seed, (seen, op) -> WRITERS[op.writer] + op.argument);
    }

    /** Concatenation is neither commutative nor idempotent: the fixed order of the versions is what agrees. */
    @Property(tries = 300)
    void aMergeFunctionResolvesAlikeOnEveryReplica(@ForAll("operations") List<Op> ops, @ForAll long seed) {
        assertConverges(
                ConflictResolver.<String>merging((a, b) -> a + "+" + b),
                ops,
                seed,
                (seen, op) -> seen.orElse("") + WRITERS[op.writer] + op.argument);
    }

    @Property(tries = 300)
    void aCrdtMergeResolvesAlikeOnEveryReplica(@ForAll("operations") List<Op> ops, @ForAll long seed) {
        VersionedValue<GCounter> converged = assertConverges(Crdt.<GCounter>resolver(), ops, seed, (seen, op) -> {
            GCounter counter = seen.orElse(GCounter.empty());
            return counter.merge(counter.increment(WRITERS[op.writer], op.argument));
        });
        assertThat(converged.value()).isPresent();
    }

    /**
     * Makes the writers' updates, delivers them to three replicas and asserts they agree; {@code write}
     * gives the value a writer writes from the value it sees.
     */
    static <V> VersionedValue<V> assertConverges(
            ConflictResolver<V> resolver, List<Op> ops, long seed, BiFunction<Optional<V>, Op, V> write) {
        List<Versioned<V>> updates = updates(resolver, ops, write);
        Random random = new Random(seed);
        List<VersionedValue<V>> replicas = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            VersionedValue<V> replica = VersionedValue.empty(resolver);
            for (Versioned<V> update : shuffledWithDuplicates(updates, random)) {
                replica = replica.apply(update);
            }
            replicas.add(replica);
        }
        VersionedValue<V> first = replicas.get(0);
        for (VersionedValue<V> other : replicas) {
            assertThat(other.versions()).as("versions held").isEqualTo(first.versions());
            assertThat(other.value()).as("resolved value").isEqualTo(first.value());
        }
        assertThat(first.versions().size()).as("at most one version per writer").isBetween(1, WRITERS.length);
        return first;
    }

    private static <V> List<Versioned<V>> updates(
            ConflictResolver<V> resolver, List<Op> ops, BiFunction<Optional<V>, Op, V> write) {
        long[] step = {0};
        List<HybridLogicalClock> clocks = new ArrayList<>();
        List<VersionedValue<V>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS.length; w++) {
            // A shared physical time that moves every few writes: equal timestamps across writers happen.
            clocks.add(new HybridLogicalClock(() -> step[0] / 4, Duration.ofDays(1)));
            writers.add(VersionedValue.empty(resolver));
        }
        List<Versioned<V>> updates = new ArrayList<>();
        for (Op op : ops) {
            step[0]++;
            VersionedValue<V> seen = writers.get(op.writer);
            HybridLogicalClock clock = clocks.get(op.writer);
            if (op.gossip % 2 == 1 && !updates.isEmpty()) {
                Versioned<V> received = updates.get(op.gossip % updates.size());
                seen = seen.apply(received);
                clock.update(received.timestamp());
            }
            Versioned<V> update = seen.write(WRITERS[op.writer], write.apply(seen.value(), op), clock.now());
            updates.add(update);
            writers.set(op.writer, seen.apply(update));
        }
        return updates;
    }

    private static <T> List<T> shuffledWithDuplicates(List<T> items, Random random) {
        List<T> delivered = new ArrayList<>(items);
        for (T item : items) {
            while (random.nextInt(3) == 0) {
                delivered.add(item);
            }
        }
        Collections.shuffle(delivered, random);
        return delivered;
    }
}
