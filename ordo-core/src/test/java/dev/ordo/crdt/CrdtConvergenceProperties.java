package dev.ordo.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.causal.HybridLogicalClock;
import dev.ordo.causal.HybridTimestamp;
import dev.ordo.engine.Serdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The CRDT guarantee, for every type: three origin replicas make updates (each against its own state,
 * which now and then takes in a delta of another), and three receiving replicas, each merging every
 * delta in its own random order and some of them twice or more, all end in the state of merging the deltas
 * once in the order they were made.
 */
class CrdtConvergenceProperties {

    private static final String[] ORIGINS = {"a", "b", "c"};

    /**
     * One update: made at {@code origin}; {@code kind} and {@code argument} choose what it does; an odd
     * {@code gossip} first merges an earlier delta into the origin's state.
     */
    record Op(int origin, int kind, int argument, int gossip) {}

    @Provide
    Arbitrary<List<Op>> operations() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, 2),
                        Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(-20, 20),
                        Arbitraries.integers().between(0, 1_000))
                .as(Op::new)
                .list()
                .ofMaxSize(40);
    }

    @Property(tries = 300)
    void gCountersConverge(@ForAll("operations") List<Op> ops, @ForAll long seed) {
        assertConverges(GCounter.empty(), ops, seed, (state, op) -> state.increment(origin(op), Math.abs(op.argument)));
    }

    @Property(tries = 300)
    void pnCountersConverge(@ForAll("operations") List<Op> ops, @ForAll long seed) {
        assertConverges(PNCounter.empty(), ops, seed, (state, op) -> state.add(origin(op), op.argument));
    }

    @Property(tries = 300)
    void orSetsConverge(@ForAll("operations") List<Op> ops, @ForAll long seed) {
        List<ORSet<String>> states = assertConverges(ORSet.empty(), ops, seed, (state, op) -> {
            String element = "e" + Math.floorMod(op.argument, 4);
            return op.kind < 2 ? state.add(origin(op), element) : state.remove(element);
        });
        ORSet<String> converged = states.get(0);
        assertThat(ORSet.decode(converged.encode(Serdes.string()), Serdes.string()))
                .isEqualTo(converged);
    }

    @Property(tries = 300)
    void lwwRegistersConverge(@ForAll("operations") List<Op> ops, @ForAll long seed) {
        Clocks clocks = new Clocks();
        List<LwwRegister<String>> states = assertConverges(
                LwwRegister.empty(),
                ops,
                seed,
                (state, op) -> state.set(origin(op), "v" + op.argument, clocks.now(op)));
        LwwRegister<String> converged = states.get(0);
        assertThat(LwwRegister.decode(converged.encode(Serdes.string()), Serdes.string()))
                .isEqualTo(converged);
    }

    @Property(tries = 300)
    void lwwMapsConverge(@ForAll("operations") List<Op> ops, @ForAll long seed) {
        Clocks clocks = new Clocks();
        List<LwwMap<String, String>> states = assertConverges(LwwMap.empty(), ops, seed, (state, op) -> {
            String key = "k" + Math.floorMod(op.argument, 4);
            return op.kind < 3
                    ? state.put(origin(op), key, "v" + op.argument, clocks.now(op))
                    : state.remove(origin(op), key, clocks.now(op));
        });
        LwwMap<String, String> converged = states.get(0);
        assertThat(LwwMap.decode(converged.encode(Serdes.string(), Serdes.string()), Serdes.string(), Serdes.string()))
                .isEqualTo(converged);
    }

    /**
     * Makes the deltas of {@code ops}, delivers them to three replicas as the class comment says, asserts
     * they all hold the in-order merge, and returns the three states.
     */
    static <T extends Crdt<T>> List<T> assertConverges(T empty, List<Op> ops, long seed, BiFunction<T, Op, T> update) {
        List<T> deltas = deltas(empty, ops, update);
        T expected = empty;
        for (T delta : deltas) {
            expected = expected.merge(delta);
        }
        Random random = new Random(seed);
        List<T> replicas = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            replicas.add(deliver(empty, shuffledWithDuplicates(deltas, random)));
        }
        assertThat(replicas).as("three replicas' states").containsOnly(expected);
        return replicas;
    }

    /** The deltas the origins make, in the order they make them. */
    static <T extends Crdt<T>> List<T> deltas(T empty, List<Op> ops, BiFunction<T, Op, T> update) {
        List<T> origins = new ArrayList<>(Collections.nCopies(ORIGINS.length, empty));
        List<T> deltas = new ArrayList<>();
        for (Op op : ops) {
            T state = origins.get(op.origin);
            if (op.gossip % 2 == 1 && !deltas.isEmpty()) {
                state = state.merge(deltas.get(op.gossip % deltas.size()));
            }
            T delta = update.apply(state, op);
            deltas.add(delta);
            origins.set(op.origin, state.merge(delta));
        }
        return deltas;
    }

    static <T extends Crdt<T>> T deliver(T empty, List<T> deltas) {
        T state = empty;
        for (T delta : deltas) {
            state = state.merge(delta);
        }
        return state;
    }

    /** Every item once, a random third of them again, in a random order. */
    static <T> List<T> shuffledWithDuplicates(List<T> items, Random random) {
        List<T> delivered = new ArrayList<>(items);
        for (T item : items) {
            while (random.nextInt(3) == 0) {
                delivered.add(item);
            }
        }
        Collections.shuffle(delivered, random);
        return delivered;
    }

    private static String origin(Op op) {
        return ORIGINS[op.origin];
    }

    /**
     * One hybrid logical clock per origin over a shared physical time that advances every few updates, so
     * that writes of different origins often carry the same timestamp and the replica id decides.
     */
    static final class Clocks {
        private long step;
        private final List<HybridLogicalClock> clocks = new ArrayList<>();

        Clocks() {
            for (int i = 0; i < ORIGINS.length; i++) {
                clocks.add(new HybridLogicalClock(() -> step / 4, Duration.ofDays(1)));
            }
        }

        HybridTimestamp now(Op op) {
            step++;
            return clocks.get(op.origin).now();
        }
    }
}
