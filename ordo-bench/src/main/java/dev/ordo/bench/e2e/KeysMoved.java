package dev.ordo.bench.e2e;

import dev.ordo.partition.Partitioner;
import dev.ordo.partition.Placement;
import java.nio.charset.StandardCharsets;

/**
 * The share of keys a change of the partition count moves to another partition, counted over the keys
 * {@code key-0}, {@code key-1}, ... (the keys {@link PartitionChangeRun} sends to), and the least share
 * any placement must move: growing from {@code n} to {@code m} partitions, the keys the new partitions
 * get, {@code (m - n) / m}; shrinking, those of the partitions that go, {@code (n - m) / n}.
 */
final class KeysMoved {

    private KeysMoved() {}

    /** The bytes of the {@code k}th key. */
    static byte[] key(int k) {
        return ("key-" + k).getBytes(StandardCharsets.UTF_8);
    }

    /** The share of the first {@code keys} keys whose partition differs between {@code from} and {@code to}. */
    static double share(Placement placement, int from, int to, int keys) {
        Partitioner partitioner = placement.partitioner();
        int moved = 0;
        for (int k = 0; k < keys; k++) {
            byte[] key = key(k);
            if (partitioner.partition(key, from) != partitioner.partition(key, to)) {
                moved++;
            }
        }
        return moved / (double) keys;
    }

    /** The least share of keys a change from {@code from} to {@code to} partitions moves. */
    static double least(int from, int to) {
        return Math.abs(to - from) / (double) Math.max(from, to);
    }
}
