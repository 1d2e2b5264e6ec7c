package dev.ordo.causal;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
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

    private static final String[] NO_NODES = new String[0];
    private static final VectorClock EMPTY = new VectorClock(NO_NODES, new long[0]);

    /** Node names in ascending order, each with a counter above 0 at the same index. */
    private final String[] nodes;

    private final long[] values;

    private VectorClock(String[] nodes, long[] values) {
        this.nodes = nodes;
        this.values = values;
    }

    /** The clock with every counter 0. */
    public static VectorClock empty() {
        return EMPTY;
    }

    /** A clock with the given counters (zeros are dropped). */
    public static VectorClock of(Map<String, Long> counters) {
        TreeMap<String, Long> sorted = new TreeMap<>();
        counters.forEach((node, value) -> {
            Objects.requireNonNull(node, "node must not be null");
            if (value == null || value < 0) {
                throw new IllegalArgumentException("counter of node " + node + " must be >= 0, was " + value);
            }
            if (value > 0) {
                sorted.put(node, value);
            }
        });
        String[] nodes = sorted.keySet().toArray(NO_NODES);
        long[] values = new long[nodes.length];
        for (int i = 0; i < nodes.length; i++) {
            values[i] = sorted.get(nodes[i]);
        }
        return new VectorClock(nodes, values);
    }

    /** The counter of {@code node} (0 if absent). */
    public long get(String node) {
        int i = indexOf(node);
        return i < 0 ? 0 : values[i];
    }

    /** The index of {@code node} for {@link #valueAt}, or a negative number if its counter is 0. */
    int indexOf(String node) {
        return Arrays.binarySearch(nodes, node);
    }

    /** The non-zero counters, by node name (a new sorted map). */
    public Map<String, Long> counters() {
        TreeMap<String, Long> map = new TreeMap<>();
        for (int i = 0; i < nodes.length; i++) {
            map.put(nodes[i], values[i]);
        }
        return Collections.unmodifiableMap(map);
    }

    /** Nodes with a non-zero counter. */
    public int size() {
        return nodes.length;
    }

    /** The {@code i}-th node in name order, for allocation-free iteration with {@link #valueAt}. */
    public String nodeAt(int i) {
        return nodes[i];
    }

    /** The counter of {@link #nodeAt(int) nodeAt(i)}. */
    public long valueAt(int i) {
        return values[i];
    }

    /** True if both clocks name the same nodes, so that their entries correspond index for index. */
    boolean sameNodes(VectorClock other) {
        return nodes == other.nodes || Arrays.equals(nodes, other.nodes);
    }

    /** Name order, without comparing characters for the same instance (clocks of one process share names). */
    private static int compare(String a, String b) {
        return a == b ? 0 : a.compareTo(b);
    }

    /** This clock with {@code node}'s counter one higher. */
    public VectorClock increment(String node) {
        Objects.requireNonNull(node, "node must not be null");
        int i = Arrays.binarySearch(nodes, node);
        if (i >= 0) {
            long[] copy = values.clone();
            copy[i]++;
            return new VectorClock(nodes, copy);
        }
        int at = -i - 1;
        String[] newNodes = new String[nodes.length + 1];
        long[] newValues = new long[nodes.length + 1];
        System.arraycopy(nodes, 0, newNodes, 0, at);
        System.arraycopy(values, 0, newValues, 0, at);
        newNodes[at] = node;
        newValues[at] = 1;
        System.arraycopy(nodes, at, newNodes, at + 1, nodes.length - at);
        System.arraycopy(values, at, newValues, at + 1, nodes.length - at);
        return new VectorClock(newNodes, newValues);
    }

    /**
     * The pointwise maximum of both clocks. It reuses the array of node names of this or
     * {@code other} when that names every node of the result (the usual case once the nodes know
     * each other): related clocks then share it, and telling that they name the same nodes takes
     * one reference check.
     */
    public VectorClock merge(VectorClock other) {
        if (nodes == other.nodes) {
            long[] max = new long[values.length];
            for (int i = 0; i < max.length; i++) {
                max[i] = Math.max(values[i], other.values[i]);
            }
            return new VectorClock(nodes, max);
        }
        String[] mergedNodes = new String[nodes.length + other.nodes.length];
        long[] mergedValues = new long[mergedNodes.length];
        int a = 0;
        int b = 0;
        int n = 0;
        while (a < nodes.length || b < other.nodes.length) {
            int c = a == nodes.length ? 1 : b == other.nodes.length ? -1 : compare(nodes[a], other.nodes[b]);
            if (c < 0) {
                mergedNodes[n] = nodes[a];
                mergedValues[n++] = values[a++];
            } else if (c > 0) {
                mergedNodes[n] = other.nodes[b];
                mergedValues[n++] = other.values[b++];
            } else {
                mergedNodes[n] = nodes[a];
                mergedValues[n++] = Math.max(values[a++], other.values[b++]);
            }
        }
        String[] names =
                n == nodes.length ? nodes : n == other.nodes.length ? other.nodes : Arrays.copyOf(mergedNodes, n);
        return new VectorClock(names, Arrays.copyOf(mergedValues, n));
    }

    /** How this clock relates to {@code other}: before, after, equal or concurrent. */
    public Causality compareTo(VectorClock other) {
        boolean less = false;
        boolean greater = false;
        int a = 0;
        int b = 0;
        while (a < nodes.length || b < other.nodes.length) {
            int c = a == nodes.length ? 1 : b == other.nodes.length ? -1 : compare(nodes[a], other.nodes[b]);
            if (c < 0) {
                greater = true;
                a++;
            } else if (c > 0) {
                less = true;
                b++;
            } else {
                greater |= values[a] > other.values[b];
                less |= values[a] < other.values[b];
                a++;
                b++;
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
        ByteArrayOutputStream out = new ByteArrayOutputStream(8 + nodes.length * 12);
        writeVarint(out, nodes.length);
        for (int i = 0; i < nodes.length; i++) {
            byte[] name = nodes[i].getBytes(StandardCharsets.UTF_8);
            writeVarint(out, name.length);
            out.write(name, 0, name.length);
            writeVarint(out, values[i]);
        }
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
                throw new IllegalArgumentException(
                        "vector clock claims " + size + " entries in " + bytes.length + " bytes");
            }
            Map<String, Long> counters = new TreeMap<>();
            for (long i = 0; i < size; i++) {
                int length = (int) readVarint(in);
                if (length > in.remaining()) {
                    throw new IllegalArgumentException(
                            "vector clock node name of " + length + " bytes overruns the input");
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
            return of(counters);
        } catch (BufferUnderflowException e) {
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
        return o instanceof VectorClock other
                && Arrays.equals(nodes, other.nodes)
                && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(nodes) + Arrays.hashCode(values);
    }

    /** Like a map: {@code {a=1, b=3}}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < nodes.length; i++) {
            b.append(i == 0 ? "" : ", ").append(nodes[i]).append('=').append(values[i]);
        }
        return b.append('}').toString();
    }
}
