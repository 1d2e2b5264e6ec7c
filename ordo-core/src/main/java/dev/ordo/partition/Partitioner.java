package dev.ordo.partition;

import dev.ordo.Arguments;

/**
 * Chooses the partition of a record from its serialized key.
 *
 * <p>The default, {@link #kafkaDefault()}, gives exactly the partition Apache Kafka's default
 * partitioner gives for every non-null key, so records written through Ordo and through plain
 * Kafka clients land together. Records without a key are spread round-robin.
 *
 * <pre>{@code
 * int p = Partitioner.kafkaDefault().partition("ACC-1".getBytes(UTF_8), 8);
 * }</pre>
 */
@FunctionalInterface
public interface Partitioner {

    /**
     * Returns the partition for a key, in {@code [0, partitionCount)}.
     *
     * @param keyBytes the serialized key, or {@code null} for a record without a key
     * @param partitionCount the number of partitions, at least 1
     * @throws IllegalArgumentException if {@code partitionCount < 1}
     */
    int partition(byte[] keyBytes, int partitionCount);

    /**
     * Kafka's default key partitioning: {@code toPositive(murmur2(key)) % partitionCount};
     * null keys round-robin. Each call returns a new instance with its own round-robin counter.
     */
    static Partitioner kafkaDefault() {
        return new Murmur2Partitioner();
    }

    /**
     * Jump consistent hashing: a change of the partition count moves the fewest keys (growing from
     * {@code n} to {@code m} moves {@code (m - n) / m} of them, where {@link #kafkaDefault()} moves most).
     * Null keys round-robin.
     */
    static Partitioner jumpHash() {
        return new JumpHashPartitioner();
    }

    /** Validates a partition count, naming the parameter and the value when it is wrong. */
    static int requireValidPartitionCount(int partitionCount) {
        Arguments.atLeast("partitionCount", partitionCount, 1);
        return partitionCount;
    }
}
