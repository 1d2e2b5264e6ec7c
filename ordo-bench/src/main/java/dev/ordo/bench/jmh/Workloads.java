package dev.ordo.bench.jmh;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Arrival orders shared by the benchmarks, generated from a fixed seed so every run sees the same. */
final class Workloads {

    private Workloads() {}

    /** 0, 1, ..., n-1. */
    static long[] inOrder(int n) {
        long[] order = new long[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    /**
     * 0..n-1 where {@code percent}% of the messages are delayed by 1..{@code window} positions
     * (a late message is overtaken by up to {@code window} successors), the rest keep their place.
     */
    static long[] displaced(int n, int percent, int window, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long[][] keyed = new long[n][];
        for (int i = 0; i < n; i++) {
            long position = random.nextInt(100) < percent ? (long) i + 1 + random.nextInt(window) : i;
            keyed[i] = new long[] {position, i};
        }
        Arrays.sort(keyed, (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        long[] order = new long[n];
        for (int i = 0; i < n; i++) {
            order[i] = keyed[i][1];
        }
        return order;
    }

    /** Boxes once, outside the measurement, so no benchmark pays for allocation of its input. */
    static Long[] boxed(long[] values) {
        Long[] boxed = new Long[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return boxed;
    }
}
