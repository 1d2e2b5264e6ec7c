package dev.ordo.crdt;

import dev.ordo.engine.Deserializer;
import dev.ordo.engine.Serializer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An observed-remove set (add wins): each addition is tagged with a new {@link Dot dot}, and a removal
 * deletes the dots of the element its replica has seen, so an addition concurrent with a removal
 * survives it. The state carries the dots it has seen (a compact causal context), which is what lets a
 * removal delta arrive before the addition it removes.
 *
 * <pre>{@code
 * ORSet<String> delta = cart.add("phone-1", "sku-42");
 * cart = cart.merge(delta);
 * cart = cart.merge(cart.remove("sku-42"));
 * }</pre>
 *
 * <p>Encoding ({@link #encode(Serializer)}): tag {@code 0x53}; a replica table (varint count, each
 * replica's length-prefixed UTF-8 id in id order); the causal context as varint count of
 * (varint replica index, varint n) for its contiguous prefixes and varint count of (replica index,
 * counter) for its dots beyond them; then varint element count and per element its length-prefixed
 * serialized bytes, varint dot count and per dot (replica index, counter).
 *
 * @param <E> the element type, with {@code equals} and {@code hashCode} agreeing with its serialized form
 */
public final class ORSet<E> implements Crdt<ORSet<E>> {

    static final int TAG = 0x53;
    private static final ORSet<?> EMPTY = new ORSet<>(Map.of(), CausalContext.EMPTY);

    /** Element to the dots of its additions not removed (never empty). */
    private final Map<E, Set<Dot>> entries;

    private final CausalContext context;

    private ORSet(Map<E, Set<Dot>> entries, CausalContext context) {
        this.entries = entries;
        this.context = context;
    }

    /** The empty set. */
    @SuppressWarnings("unchecked")
    public static <E> ORSet<E> empty() {
        return (ORSet<E>) EMPTY;
    }

    /** The delta that adds {@code element} by {@code replica} (it also supersedes the element's older dots). */
    public ORSet<E> add(String replica, E element) {
        Objects.requireNonNull(replica, "replica must not be null");
        Objects.requireNonNull(element, "element must not be null");
        Dot dot = context.next(replica);
        Set<Dot> seen = new HashSet<>(entries.getOrDefault(element, Set.of()));
        seen.add(dot);
        return new ORSet<>(Map.of(element, Set.of(dot)), CausalContext.of(seen));
    }

    /** The delta that removes {@code element} as this replica sees it (an empty delta if it is absent). */
    public ORSet<E> remove(E element) {
        Objects.requireNonNull(element, "element must not be null");
        return new ORSet<>(Map.of(), CausalContext.of(entries.getOrDefault(element, Set.of())));
    }

    public boolean contains(E element) {
        return entries.containsKey(element);
    }

    /** The elements present. */
    public Set<E> elements() {
        return Collections.unmodifiableSet(entries.keySet());
    }

    @Override
    public ORSet<E> merge(ORSet<E> other) {
        Map<E, Set<Dot>> merged = new HashMap<>();
        Set<E> elements = new HashSet<>(entries.keySet());
        elements.addAll(other.entries.keySet());
        for (E e : elements) {
            Set<Dot> mine = entries.getOrDefault(e, Set.of());
            Set<Dot> theirs = other.entries.getOrDefault(e, Set.of());
            Set<Dot> kept = new HashSet<>();
            // A dot survives if both have it, or if the side without it never saw it (so did not remove it).
            for (Dot d : mine) {
                if (theirs.contains(d) || !other.context.contains(d)) {
                    kept.add(d);
                }
            }
            for (Dot d : theirs) {
                if (!context.contains(d)) {
                    kept.add(d);
                }
            }
            if (!kept.isEmpty()) {
                merged.put(e, Set.copyOf(kept));
            }
        }
        return new ORSet<>(Map.copyOf(merged), context.merge(other.context));
    }

    /** The binary form (see the class comment), elements written by {@code elements} (topic {@code null}). */
    public byte[] encode(Serializer<? super E> elements) {
        Objects.requireNonNull(elements, "elements serializer must not be null");
        TreeSet<String> replicas = new TreeSet<>();
        context.replicas(replicas);
        entries.values().forEach(dots -> dots.forEach(d -> replicas.add(d.replica())));
        List<String> table = new ArrayList<>(replicas);
        Map<String, Integer> index = new HashMap<>();
        Encoding.Writer out = new Encoding.Writer(TAG).varint(table.size());
        for (String r : table) {
            index.put(r, index.size());
            out.string(r);
        }
        out.varint(context.prefix.size());
        context.prefix.forEach((r, n) -> out.varint(index.get(r)).varint(n));
        out.varint(context.beyond.size());
        context.beyond.forEach(d -> out.varint(index.get(d.replica())).varint(d.counter()));
        out.varint(entries.size());
        entries.forEach((e, dots) -> {
            out.bytes(elements.serialize(null, e));
            out.varint(dots.size());
            new TreeSet<>(dots).forEach(d -> out.varint(index.get(d.replica())).varint(d.counter()));
        });
        return out.toByteArray();
    }

    /**
     * Reads {@link #encode(Serializer)}'s form.
     *
     * @throws IllegalArgumentException if the bytes are not an OR-Set's encoding
     */
    public static <E> ORSet<E> decode(byte[] bytes, Deserializer<? extends E> elements) {
        Objects.requireNonNull(elements, "elements deserializer must not be null");
        Encoding.Reader in = new Encoding.Reader(bytes, "OR-Set", TAG);
        int replicaCount = in.count("replica count");
        List<String> table = new ArrayList<>(replicaCount);
        for (int i = 0; i < replicaCount; i++) {
            table.add(in.string("replica id"));
        }
        TreeMap<String, Long> prefix = new TreeMap<>();
        int prefixes = in.count("context prefix count");
        for (int i = 0; i < prefixes; i++) {
            String r = replica(in, table, "context prefix replica index");
            long n = in.varint("context prefix of replica " + r);
            if (n == 0) {
                throw in.damaged("context prefix of replica " + r, "must be >= 1, was 0");
            }
            prefix.put(r, n);
        }
        TreeSet<Dot> beyond = new TreeSet<>();
        int dots = in.count("context dot count");
        for (int i = 0; i < dots; i++) {
            beyond.add(dot(in, table, "context dot"));
        }
        Map<E, Set<Dot>> entries = new HashMap<>();
        int size = in.count("element count");
        for (int i = 0; i < size; i++) {
            E element = elements.deserialize(null, in.bytes("element"));
            int dotCount = in.count("dot count of element " + element);
            Set<Dot> elementDots = new HashSet<>();
            for (int j = 0; j < dotCount; j++) {
                elementDots.add(dot(in, table, "dot of element " + element));
            }
            if (elementDots.isEmpty()) {
                throw in.damaged("dot count of element " + element, "must be >= 1, was 0");
            }
            entries.put(element, Set.copyOf(elementDots));
        }
        in.end();
        CausalContext context = CausalContext.EMPTY.merge(new CausalContext(prefix, beyond));
        return new ORSet<>(Map.copyOf(entries), context);
    }

    private static String replica(Encoding.Reader in, List<String> table, String field) {
        long i = in.varint(field);
        if (i >= table.size()) {
            throw in.damaged(field, "must be < " + table.size() + ", was " + i);
        }
        return table.get((int) i);
    }

    private static Dot dot(Encoding.Reader in, List<String> table, String field) {
        String r = replica(in, table, field + " replica index");
        long counter = in.varint(field + " counter");
        if (counter == 0) {
            throw in.damaged(field + " counter", "must be >= 1, was 0");
        }
        return new Dot(r, counter);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ORSet<?> other && entries.equals(other.entries) && context.equals(other.context);
    }

    @Override
    public int hashCode() {
        return 31 * entries.hashCode() + context.hashCode();
    }

    /** The elements, like {@code [a, b]}. */
    @Override
    public String toString() {
        return entries.keySet().toString();
    }
}
