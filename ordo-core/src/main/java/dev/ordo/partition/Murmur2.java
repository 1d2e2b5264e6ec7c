package dev.ordo.partition;

/**
 * The 32-bit murmur2 hash exactly as Apache Kafka computes it for key partitioning
 * (seed {@code 0x9747b28c}, little-endian 4-byte blocks).
 *
 * <p>Kept separate from the partitioner because other components (the consistent-hash ring,
 * the log's key index) hash keys the same way.
 */
public final class Murmur2 {

    private static final int SEED = 0x9747b28c;
    private static final int M = 0x5bd1e995;
    private static final int R = 24;

    private Murmur2() {}

    /** Returns murmur2 of all of {@code data}. */
    @SuppressWarnings("fallthrough")
    public static int hash(byte[] data) {
        int length = data.length;
        int h = SEED ^ length;
        int blocks = length >>> 2;
        for (int i = 0; i < blocks; i++) {
            int offset = i << 2;
            int k = (data[offset] & 0xff)
                    | (data[offset + 1] & 0xff) << 8
                    | (data[offset + 2] & 0xff) << 16
                    | (data[offset + 3] & 0xff) << 24;
            k *= M;
            k ^= k >>> R;
            k *= M;
            h *= M;
            h ^= k;
        }
        int tail = blocks << 2;
        switch (length & 3) {
            case 3:
                h ^= (data[tail + 2] & 0xff) << 16;
            // fall through
            case 2:
                h ^= (data[tail + 1] & 0xff) << 8;
            // fall through
            case 1:
                h ^= data[tail] & 0xff;
                h *= M;
                break;
            default:
                break;
        }
        h ^= h >>> 13;
        h *= M;
        h ^= h >>> 15;
        return h;
    }
}
