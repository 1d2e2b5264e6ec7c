package dev.ordo.crdt;

import dev.ordo.causal.HybridTimestamp;
import dev.ordo.engine.Deserializer;
import dev.ordo.engine.Serializer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A map whose every key is a last-writer-wins register: a put or a remove of a key is stamped with a
 * {@link HybridTimestamp} and its replica id, and merge keeps, per key, the later write (the higher
 * replica id on a tie). A remove leaves a tombstone, so that a put older than it, arriving later, stays
 * removed; tombstones are kept for good (the map grows with the keys ever written).
 *
 * <pre>{@code
 * LwwMap<String, String> delta = profile.put("eu-1", "email", "a@example.org", clock.now());
 * profile = profile.merge(delta).merge(profile.remove("eu-1", "phone", clock.now()));
 * }</pre>
 *
 * <p>Encoding ({@link #encode(Serializer, Serializer)}): tag {@code 0x4D}; a replica table (varint count,
 * each length-prefixed UTF-8 id in id order); varint entry count; per entry the length-prefixed serialized
 * key, the varint packed timestamp, the varint replica index, a byte 0 (removed) or 1 and, if 1, the
 * length-prefixed serialized value.
 *
 * @param <K> the key type, with {@code equals} and {@code hashCode} agreeing with its serialized form
 * @param <V> the value type
 */
public final class LwwMap<K, V> implements Crdt<LwwMap<K, V>> {

    static final int TAG = 0x4D;
    private static final LwwMap<?, ?> EMPTY = new LwwMap<>(Map.of());

    /** A key's last write: {@code value} null for a remove. */
    private record Write<V>(Stamp stamp, V value) {}

    private final Map<K, Write<V>> writes;

    private LwwMap(Map<K, Write<V>> writes) {
        this.writes = writes;
    }

    /** The empty map. */
    @SuppressWarnings("unchecked")
    public static <K, V> LwwMap<K, V> empty() {
        return (LwwMap<K, V>) EMPTY;
    }

    /** The delta that maps {@code key} to {@code value}, written by {@code replica} at {@code timestamp}. */
    public LwwMap<K, V> put(String replica, K key, V value, HybridTimestamp timestamp) {
        Objects.requireNonNull(key, "key must not be null");
        Objects.requireNonNull(value, "value must not be null");
        return new LwwMap<>(Map.of(key, new Write<>(new Stamp(timestamp, replica), value)));
    }

    /** The delta that removes {@code key}, by {@code replica} at {@code timestamp}. */
    public LwwMap<K, V> remove(String replica, K key, HybridTimestamp timestamp) {
        Objects.requireNonNull(key, "key must not be null");
        return new LwwMap<>(Map.of(key, new Write<>(new Stamp(timestamp, replica), null)));
    }

    /** The value of {@code key}, unless it was never put or removed last. */
    public Optional<V> get(K key) {
        Write<V> w = writes.get(key);
        return w == null ? Optional.empty() : Optional.ofNullable(w.value);
    }

    /** The keys present and their values. */
    public Map<K, V> asMap() {
        Map<K, V> live = new LinkedHashMap<>();
        writes.forEach((k, w) -> {
            if (w.value != null) {
                live.put(k, w.value);
            }
        });
        return Collections.unmodifiableMap(live);
    }

    /**
     * @throws IllegalArgumentException if both carry one stamp for a key with different values (a replica
     *         reused a timestamp)
     */
    @Override
    public LwwMap<K, V> merge(LwwMap<K, V> other) {
        Map<K, Write<V>> merged = new HashMap<>(writes);
        other.writes.forEach((key, theirs) -> merged.merge(
                key, theirs, (mine, t) -> Stamp.secondWins(mine.stamp, mine.value, t.stamp, t.value) ? t : mine));
        return new LwwMap<>(Map.copyOf(merged));
    }

    /** The binary form (see the class comment); keys and values written with topic {@code null}. */
    public byte[] encode(Serializer<? super K> keys, Serializer<? super V> values) {
        Objects.requireNonNull(keys, "keys serializer must not be null");
        Objects.requireNonNull(values, "values serializer must not be null");
        TreeSet<String> replicas = new TreeSet<>();
        writes.values().forEach(w -> replicas.add(w.stamp.replica()));
        Map<String, Integer> index = new HashMap<>();
        Encoding.Writer out = new Encoding.Writer(TAG).varint(replicas.size());
        for (String r : replicas) {
            index.put(r, index.size());
            out.string(r);
        }
        out.varint(writes.size());
        writes.forEach((key, w) -> {
            out.bytes(keys.serialize(null, key))
                    .varint(w.stamp.timestamp().pack())
                    .varint(index.get(w.stamp.replica()));
            if (w.value == null) {
                out.varint(0);
            } else {
                out.varint(1).bytes(values.serialize(null, w.value));
            }
        });
        return out.toByteArray();
    }

    /**
     * Reads {@link #encode(Serializer, Serializer)}'s form.
     *
     * @throws IllegalArgumentException if the bytes are not an LWW-Map's encoding
     */
    public static <K, V> LwwMap<K, V> decode(
            byte[] bytes, Deserializer<? extends K> keys, Deserializer<? extends V> values) {
        Objects.requireNonNull(keys, "keys deserializer must not be null");
        Objects.requireNonNull(values, "values deserializer must not be null");
        Encoding.Reader in = new Encoding.Reader(bytes, "LWW-Map", TAG);
        int replicaCount = in.count("replica count");
        List<String> table = new ArrayList<>(replicaCount);
        for (int i = 0; i < replicaCount; i++) {
            table.add(in.string("replica id"));
        }
        int size = in.count("entry count");
        Map<K, Write<V>> writes = new HashMap<>();
        for (int i = 0; i < size; i++) {
            K key = keys.deserialize(null, in.bytes("key"));
            HybridTimestamp timestamp = LwwRegister.timestamp(in, "timestamp of key " + key);
            long r = in.varint("replica index of key " + key);
            if (r >= table.size()) {
                throw in.damaged("replica index of key " + key, "must be < " + table.size() + ", was " + r);
            }
            long present = in.varint("presence of key " + key);
            if (present > 1) {
                throw in.damaged("presence of key " + key, "must be 0 or 1, was " + present);
            }
            V value = present == 0 ? null : values.deserialize(null, in.bytes("value of key " + key));
            if (writes.put(key, new Write<>(new Stamp(timestamp, table.get((int) r)), value)) != null) {
                throw in.damaged("key", "appears twice, was " + key);
            }
        }
        in.end();
        return new LwwMap<>(Map.copyOf(writes));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LwwMap<?, ?> other && writes.equals(other.writes);
    }

    @Override
    public int hashCode() {
        return writes.hashCode();
    }

    /** The keys present and their values, like {@code {email=a@example.org}}. */
    @Override
    public String toString() {
        return asMap().toString();
    }
}
