package dev.ordo.causal;

import java.util.function.Consumer;

/**
 * A hash map keyed by one vector clock entry, a node (as a small id) and a counter, without
 * boxing: how {@link CausalDeliveryBuffer} finds a waiting message by its sender and sequence, and
 * the messages waiting for a given one. Open addressing with linear probing at most half full;
 * removal shifts the entries after the freed slot back, so no tombstones pile up.
 *
 * @param <V> the value type; {@code null} values are not allowed
 */
final class ClockEntryMap<V> {

    private static final int MIN_CAPACITY = 16;

    private int[] nodes;
    private long[] counters;
    /** {@code null} marks a free slot. */
    private Object[] values;

    private int size;
    private int mask;
    /** 64 minus log2(capacity): a slot is the top bits of the hash. */
    private int shift;

    ClockEntryMap() {
        allocate(MIN_CAPACITY);
    }

    int size() {
        return size;
    }

    V get(int node, long counter) {
        for (int i = slot(node, counter); values[i] != null; i = (i + 1) & mask) {
            if (nodes[i] == node && counters[i] == counter) {
                return value(i);
            }
        }
        return null;
    }

    /** Maps the entry to {@code value}, returning the value it replaces or {@code null}. */
    V put(int node, long counter, V value) {
        int i = slot(node, counter);
        for (; values[i] != null; i = (i + 1) & mask) {
            if (nodes[i] == node && counters[i] == counter) {
                V previous = value(i);
                values[i] = value;
                return previous;
            }
        }
        nodes[i] = node;
        counters[i] = counter;
        values[i] = value;
        if (++size * 2 > values.length) {
            resize(values.length * 2);
        }
        return null;
    }

    /** Removes the entry, returning its value or {@code null} if it was absent. */
    V remove(int node, long counter) {
        int i = slot(node, counter);
        for (; values[i] != null; i = (i + 1) & mask) {
            if (nodes[i] == node && counters[i] == counter) {
                V removed = value(i);
                closeGap(i);
                size--;
                return removed;
            }
        }
        return null;
    }

    void forEachValue(Consumer<? super V> action) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                action.accept(value(i));
            }
        }
    }

    /** Frees slot {@code gap}, moving back each later entry of the run that could live there. */
    private void closeGap(int gap) {
        int free = gap;
        for (int i = (free + 1) & mask; values[i] != null; i = (i + 1) & mask) {
            int home = slot(nodes[i], counters[i]);
            if (((i - home) & mask) >= ((i - free) & mask)) {
                nodes[free] = nodes[i];
                counters[free] = counters[i];
                values[free] = values[i];
                free = i;
            }
        }
        values[free] = null;
    }

    private int slot(int node, long counter) {
        return (int) ((counter + ((long) node << 32)) * 0x9E3779B97F4A7C15L >>> shift);
    }

    @SuppressWarnings("unchecked")
    private V value(int i) {
        return (V) values[i];
    }

    private void resize(int capacity) {
        int[] oldNodes = nodes;
        long[] oldCounters = counters;
        Object[] oldValues = values;
        allocate(capacity);
        for (int j = 0; j < oldValues.length; j++) {
            if (oldValues[j] != null) {
                int i = slot(oldNodes[j], oldCounters[j]);
                while (values[i] != null) {
                    i = (i + 1) & mask;
                }
                nodes[i] = oldNodes[j];
                counters[i] = oldCounters[j];
                values[i] = oldValues[j];
            }
        }
    }

    private void allocate(int capacity) {
        nodes = new int[capacity];
        counters = new long[capacity];
        values = new Object[capacity];
        mask = capacity - 1;
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
    }
}
