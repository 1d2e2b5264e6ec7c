package dev.ordo.check;

import dev.ordo.partition.Partitioner;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/** {@link PartitionLayout#kafkaDefault(int)}: murmur2 of the UTF-8 key, as Kafka places a string key. */
record KafkaDefaultLayout(int partitionCount) implements PartitionLayout<String> {

    // Keys are never null here, so the partitioner's round-robin counter is never touched and one
    // instance can serve every thread.
    private static final Partitioner KAFKA = Partitioner.kafkaDefault();

    @Override
    public int partitionOf(String key) {
        return KAFKA.partition(key.getBytes(StandardCharsets.UTF_8), partitionCount);
    }

    @Override
    public OptionalInt kafkaDefaultPartitions() {
        return OptionalInt.of(partitionCount);
    }

    @Override
    public String toString() {
        return "Kafka's default partitioner over " + partitionCount + " partitions";
    }
}
