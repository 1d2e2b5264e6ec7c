package dev.ordo.partition;

/**
 * Jump consistent hash (Lamping and Veach, 2014) over the key's murmur2 hash: growing from {@code n}
 * to {@code m} partitions moves only the {@code (m - n) / m} of the keys that the new partitions take,
 * and shrinking moves only the keys of the partitions removed (the highest numbered). Kafka's
 * {@code murmur2 % n} moves about {@code 1 - 1/m} of them on most changes. Keys spread evenly without
 * a table; a lookup costs about {@code ln(n)} steps.
 */
final class JumpHashPartitioner extends KeyHashPartitioner {

    @Override
    int place(byte[] keyBytes, int partitionCount) {
        return jump(spread(Murmur2.hash(keyBytes)), partitionCount);
    }

    /** The bucket in {@code [0, buckets)} of a 64-bit key, as the paper's algorithm gives it. */
    static int jump(long key, int buckets) {
        long b = -1;
        long j = 0;
        while (j < buckets) {
            b = j;
            key = key * 2862933555777941757L + 1;
            j = (long) ((b + 1) * ((double) (1L << 31) / (double) ((key >>> 33) + 1)));
        }
        return (int) b;
    }

    /** Spreads a 32-bit hash over 64 bits (SplitMix64's finalizer), as jump hashing wants all bits used. */
    private static long spread(int hash) {
        long z = hash * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public String toString() {
        return "jump";
    }
}
