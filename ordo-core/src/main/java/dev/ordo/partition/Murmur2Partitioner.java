package dev.ordo.partition;

import java.util.concurrent.atomic.AtomicInteger;

/** Kafka's default partitioner: murmur2 of the key bytes, sign bit cleared, modulo the count. */
final class Murmur2Partitioner implements Partitioner {

    private final AtomicInteger roundRobin = new AtomicInteger();

    @Override
    public int partition(byte[] keyBytes, int partitionCount) {
        Partitioner.requireValidPartitionCount(partitionCount);
        if (keyBytes == null) {
            return (roundRobin.getAndIncrement() & 0x7fffffff) % partitionCount;
        }
        // Kafka clears the sign bit (Utils.toPositive) rather than taking Math.abs, which would
        // map Integer.MIN_VALUE to itself; we must do the same to agree on every key.
        return (Murmur2.hash(keyBytes) & 0x7fffffff) % partitionCount;
    }

    @Override
    public String toString() {
        return "kafka";
    }
}
