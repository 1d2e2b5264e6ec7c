package dev.ordo.partition;

/** Kafka's default partitioner: murmur2 of the key bytes, sign bit cleared, modulo the count. */
final class Murmur2Partitioner extends KeyHashPartitioner {

    @Override
    int place(byte[] keyBytes, int partitionCount) {
        // Kafka clears the sign bit (Utils.toPositive) rather than taking Math.abs, which would
        // map Integer.MIN_VALUE to itself; we must do the same to agree on every key.
        return (Murmur2.hash(keyBytes) & 0x7fffffff) % partitionCount;
    }

    @Override
    public String toString() {
        return "kafka";
    }
}
