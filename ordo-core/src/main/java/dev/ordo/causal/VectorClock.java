package dev.ordo.causal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An immutable vector clock: one counter per node, where a missing node counts as 0, so clocks of
 * different node sets compare and merge correctly as nodes join and leave.
 *
 * <pre>{@code
 * VectorClock sent = local.increment("node-a");          // stamp a send
 * local = local.merge(received).increment("node-a");     // on receipt
 * if (a.compareTo(b) == Causality.CONCURRENT) { ... }    // neither saw the other
 * byte[] header = sent.encode();                          // compact: varints, node names once
 * }</pre>
 */
public final class VectorClock {

    private static final VectorClock EMPTY = new VectorClock(new TreeMap<>());

    private final TreeMap<String, Long> counters;

    private VectorClock(TreeMap<String, Long> counters) {
        this.counters = counters;
    }

    /** The clock with every counter 0. */
    public static VectorClock empty() {
        return EMPTY;
    }

    /** A clock with the given counters (zeros are dropped). */
    public static VectorClock of(Map<String, Long> counters) {
        TreeMap<String, Long> copy = new TreeMap<>();
        counters.forEach((node, value) -> {
            Objects.requireNonNull(node, "node must not be null");
            if (value == null || value < 0) {
                throw new IllegalArgumentException("counter of node " + node + " must be >= 0, was " + value);
            }
            if (value > 0) {
                copy.put(node, value);
            }
        });
        return new VectorClock(copy);
    }

    /** The counter of {@code node} (0 if absent). */
    public long get(String node) {
        return counters.getOrDefault(node, 0L);
    }

    /** The non-zero counters, by node name. */
    public Map<String, Long> counters() {
        return Collections.unmodifiableMap(counters);
    }

    /** This clock with {@code node}'s counter one higher. */
    public VectorClock increment(String node) {
        Objects.requireNonNull(node, "node must not be null");
        TreeMap<String, Long> copy = new TreeMap<>(counters);
        copy.merge(node, 1L, Long::sum);
        return new VectorClock(copy);
    }

    /** The pointwise maximum of both clocks. */
    public VectorClock merge(VectorClock other) {
        TreeMap<String, Long> copy = new TreeMap<>(counters);
        other.counters.forEach((node, value) -> copy.merge(node, value, Math::max));
        return new VectorClock(copy);
    }

    /** How this clock relates to {@code other}: before, after, equal or concurrent. */
    public Causality compareTo(VectorClock other) {
        boolean less = false;
        boolean greater = false;
        Iterator<Map.Entry<String, Long>> a = counters.entrySet().iterator();
        Iterator<Map.Entry<String, Long>> b = other.counters.entrySet().iterator();
        Map.Entry<String, Long> x = a.hasNext() ? a.next() : null;
        Map.Entry<String, Long> y = b.hasNext() ? b.next() : null;
        while (x != null || y != null) {
            int byNode = x == null ? 1 : y == null ? -1 : x.getKey().compareTo(y.getKey());
            if (byNode < 0) {
                greater = true;
                x = a.hasNext() ? a.next() : null;
            } else if (byNode > 0) {
                less = true;
                y = b.hasNext() ? b.next() : null;
            } else {
                int byValue = Long.compare(x.getValue(), y.getValue());
                greater |= byValue > 0;
                less |= byValue < 0;
                x = a.hasNext() ? a.next() : null;
                y = b.hasNext() ? b.next() : null;
            }
            if (less && greater) {
                return Causality.CONCURRENT;
            }
        }
        return less ? Causality.BEFORE : greater ? Causality.AFTER : Causality.EQUAL;
    }

    /** True if this clock happened before {@code other}. */
    public boolean happenedBefore(VectorClock other) {
        return compareTo(other) == Causality.BEFORE;
    }

    /**
     * A compact binary form: varint entry count, then per entry the varint length of the UTF-8
     * node name, the name, and the varint counter. A clock of 3 short-named nodes takes ~15 bytes.
     */
    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8 + counters.size() * 12);
        writeVarint(out, counters.size());
        counters.forEach((node, value) -> {
            byte[] name = node.getBytes(StandardCharsets.UTF_8);
            writeVarint(out, name.length);
            out.write(name, 0, name.length);
            writeVarint(out, value);
        });
        return out.toByteArray();
    }

    /**
     * Reads {@link #encode()}'s form.
     *
     * @throws IllegalArgumentException if the bytes are not a valid encoding
     */
    public static VectorClock decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            long size = readVarint(in);
            if (size > bytes.length) {
                throw new IllegalArgumentException("vector clock claims " + size + " entries in " + bytes.length + " bytes");
            }
            TreeMap<String, Long> counters = new TreeMap<>();
            for (long i = 0; i < size; i++) {
                int length = (int) readVarint(in);
                if (length > in.remaining()) {
                    throw new IllegalArgumentException("vector clock node name of " + length + " bytes overruns the input");
                }
                byte[] name = new byte[length];
                in.get(name);
                long value = readVarint(in);
                if (value > 0) {
                    counters.put(new String(name, StandardCharsets.UTF_8), value);
                }
            }
            if (in.hasRemaining()) {
                throw new IllegalArgumentException("vector clock has " + in.remaining() + " trailing bytes");
            }
            return new VectorClock(counters);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("vector clock encoding is truncated", e);
        }
    }

    private static void writeVarint(ByteArrayOutputStream out, long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static long readVarint(ByteBuffer in) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.get();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (value < 0) {
                    throw new IllegalArgumentException("vector clock varint is negative");
                }
                return value;
            }
        }
        throw new IllegalArgumentException("vector clock varint is longer than 10 bytes");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VectorClock other && counters.equals(other.counters);
    }

    @Override
    public int hashCode() {
        return counters.hashCode();
    }

    @Override
    public String toString() {
        return counters.toString();
    }
}
