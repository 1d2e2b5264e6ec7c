package dev.ordo.check;

import dev.ordo.partition.Partitioner;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * Which partition a key's records belong in, for the partition check of the
 * {@link OrderingMonitor} and the {@link OrderingChecker}: a record read from another partition is
 * a {@link Anomaly#PARTITION_MISMATCH}. Any function of the key will do (a consistent-hash ring, a
 * lookup table); the usual one is {@link #kafkaDefault(int)}, the partition Kafka's default
 * partitioner and Ordo's give a key.
 *
 * <pre>{@code
 * PartitionLayout<String> layout = PartitionLayout.kafkaDefault(8);          // murmur2 of the UTF-8 key
 * PartitionLayout<Long> byId = PartitionLayout.of(Partitioner.kafkaDefault(), 8, id -> longBytes(id));
 * }</pre>
 *
 * @param <K> the key
 */
@FunctionalInterface
public interface PartitionLayout<K> {

    /** The partition {@code key}'s records belong in. */
    int partitionOf(K key);

    /**
     * The number of partitions, when this layout is {@link #kafkaDefault(int)} over them: the only
     * layout a {@link HistoryLog} file can name. Empty for any other layout.
     */
    default OptionalInt kafkaDefaultPartitions() {
        return OptionalInt.empty();
    }

    /**
     * Kafka's default partitioner over {@code partitionCount} partitions, the key serialized as
     * UTF-8 (Kafka's {@code StringSerializer}): where a producer of either engine writes a string key.
     *
     * @throws IllegalArgumentException if {@code partitionCount < 1}
     */
    static PartitionLayout<String> kafkaDefault(int partitionCount) {
        return new KafkaDefaultLayout(Partitioner.requireValidPartitionCount(partitionCount));
    }

    /**
     * {@code partitioner} over {@code partitionCount} partitions, the key serialized by {@code keyBytes}.
     *
     * @throws IllegalArgumentException if {@code partitionCount < 1}
     */
    static <K> PartitionLayout<K> of(
            Partitioner partitioner, int partitionCount, Function<? super K, byte[]> keyBytes) {
        Objects.requireNonNull(partitioner, "partitioner must not be null");
        Objects.requireNonNull(keyBytes, "keyBytes must not be null");
        Partitioner.requireValidPartitionCount(partitionCount);
        return key -> partitioner.partition(keyBytes.apply(key), partitionCount);
    }
}
