package dev.ordo.bench.e2e;

import java.nio.charset.StandardCharsets;

/** The record keys one writer of {@link LogBenchmark} sends: 64 per writer, spread over the partitions. */
final class Keys {

    private Keys() {}

    static byte[][] forWriter(int writer) {
        byte[][] keys = new byte[64][];
        for (int k = 0; k < keys.length; k++) {
            keys[k] = ("writer-" + writer + "-key-" + k).getBytes(StandardCharsets.UTF_8);
        }
        return keys;
    }
}
