package dev.ordo.crdt;

import dev.ordo.causal.HybridTimestamp;
import dev.ordo.engine.Deserializer;
import dev.ordo.engine.Serializer;
import java.util.Objects;
import java.util.Optional;

/**
 * A last-writer-wins register: one value and when and by whom it was written; merge keeps the write with
 * the later {@link HybridTimestamp}, the higher replica id on a tie. Stamp writes with a
 * {@link dev.ordo.causal.HybridLogicalClock} that has seen the replica's state, so that a write is later
 * than what it overwrites.
 *
 * <pre>{@code
 * LwwRegister<String> delta = address.set("eu-1", "Main St 1", clock.now());
 * address = address.merge(delta);
 * }</pre>
 *
 * <p>Encoding ({@link #encode(Serializer)}): tag {@code 0x52}, a byte 0 (empty) or 1, then the varint
 * {@linkplain HybridTimestamp#pack() packed timestamp}, the length-prefixed UTF-8 replica id and the
 * length-prefixed serialized value.
 *
 * @param <V> the value type
 */
public final class LwwRegister<V> implements Crdt<LwwRegister<V>> {

    static final int TAG = 0x52;
    private static final LwwRegister<?> EMPTY = new LwwRegister<>(null, null);

    /** Null while empty. */
    private final Stamp stamp;

    private final V value;

    private LwwRegister(Stamp stamp, V value) {
        this.stamp = stamp;
        this.value = value;
    }

    /** The register never written. */
    @SuppressWarnings("unchecked")
    public static <V> LwwRegister<V> empty() {
        return (LwwRegister<V>) EMPTY;
    }

    /** The delta that writes {@code value} by {@code replica} at {@code timestamp}. */
    public LwwRegister<V> set(String replica, V value, HybridTimestamp timestamp) {
        Objects.requireNonNull(value, "value must not be null");
        return new LwwRegister<>(new Stamp(timestamp, replica), value);
    }

    /** The value written last, if any. */
    public Optional<V> value() {
        return Optional.ofNullable(value);
    }

    /** When the value was written, if it was. */
    public Optional<HybridTimestamp> timestamp() {
        return stamp == null ? Optional.empty() : Optional.of(stamp.timestamp());
    }

    /** Who wrote the value, if anyone. */
    public Optional<String> replica() {
        return stamp == null ? Optional.empty() : Optional.of(stamp.replica());
    }

    /**
     * @throws IllegalArgumentException if both carry one stamp with different values (a replica reused a
     *         timestamp)
     */
    @Override
    public LwwRegister<V> merge(LwwRegister<V> other) {
        if (other.stamp == null) {
            return this;
        }
        if (stamp == null) {
            return other;
        }
        return Stamp.secondWins(stamp, value, other.stamp, other.value) ? other : this;
    }

    /** The binary form (see the class comment), the value written by {@code values} (topic {@code null}). */
    public byte[] encode(Serializer<? super V> values) {
        Objects.requireNonNull(values, "values serializer must not be null");
        Encoding.Writer out = new Encoding.Writer(TAG);
        if (stamp == null) {
            return out.varint(0).toByteArray();
        }
        return out.varint(1)
                .varint(stamp.timestamp().pack())
                .string(stamp.replica())
                .bytes(values.serialize(null, value))
                .toByteArray();
    }

    /**
     * Reads {@link #encode(Serializer)}'s form.
     *
     * @throws IllegalArgumentException if the bytes are not an LWW-Register's encoding
     */
    public static <V> LwwRegister<V> decode(byte[] bytes, Deserializer<? extends V> values) {
        Objects.requireNonNull(values, "values deserializer must not be null");
        Encoding.Reader in = new Encoding.Reader(bytes, "LWW-Register", TAG);
        long present = in.varint("presence");
        if (present > 1) {
            throw in.damaged("presence", "must be 0 or 1, was " + present);
        }
        if (present == 0) {
            in.end();
            return empty();
        }
        HybridTimestamp timestamp = timestamp(in, "timestamp");
        String replica = in.string("replica id");
        V value = values.deserialize(null, in.bytes("value"));
        in.end();
        if (value == null) {
            throw in.damaged("value", "must not deserialize to null, was null");
        }
        return new LwwRegister<>(new Stamp(timestamp, replica), value);
    }

    static HybridTimestamp timestamp(Encoding.Reader in, String field) {
        long packed = in.varint(field);
        try {
            return HybridTimestamp.unpack(packed);
        } catch (IllegalArgumentException e) {
            throw in.damaged(field, e.getMessage());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LwwRegister<?> other
                && Objects.equals(stamp, other.stamp)
                && Objects.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(stamp, value);
    }

    /** Like {@code Main St 1 (1733300000000.0@eu-1)}. */
    @Override
    public String toString() {
        return stamp == null ? "(empty)" : value + " (" + stamp + ")";
    }
}
