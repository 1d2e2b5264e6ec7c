package dev.ordo.partition;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A partitioner that places a key by its hash and spreads records without a key round-robin, as Kafka's
 * clients do: the part every placement shares.
 */
abstract class KeyHashPartitioner implements Partitioner {

    private final AtomicInteger roundRobin = new AtomicInteger();

    @Override
    public final int partition(byte[] keyBytes, int partitionCount) {
        Partitioner.requireValidPartitionCount(partitionCount);
        if (keyBytes == null) {
            return (roundRobin.getAndIncrement() & 0x7fffffff) % partitionCount;
        }
        return place(keyBytes, partitionCount);
    }

    /** The partition of a key (not null), in {@code [0, partitionCount)}. */
    abstract int place(byte[] keyBytes, int partitionCount);
}
