package dev.ordo.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

class KafkaDefaultPartitionerTest {

    private final Partitioner partitioner = Partitioner.kafkaDefault();

    @Test
    void everyKeyLandsOnTheSamePartitionAsWithKafkasDefaultPartitioner() {
        SplittableRandom random = new SplittableRandom(20261125L);
        int[] counts = {1, 2, 3, 7, 8, 12, 16, 100, 1000, Integer.MAX_VALUE};
        for (int i = 0; i < 100_000; i++) {
            byte[] key = new byte[random.nextInt(0, 65)];
            for (int b = 0; b < key.length; b++) {
                key[b] = (byte) random.nextInt(256);
            }
            int count = counts[i % counts.length];
            int kafka = Utils.toPositive(Utils.murmur2(key)) % count;
            assertThat(partitioner.partition(key, count))
                    .as("key #%d with %d partitions", i, count)
                    .isEqualTo(kafka);
        }
    }

    @Test
    void murmur2MatchesKafkaIncludingNegativeHashes() {
        SplittableRandom random = new SplittableRandom(7);
        int negatives = 0;
        for (int i = 0; i < 10_000; i++) {
            byte[] key = ("key-" + random.nextLong()).getBytes(StandardCharsets.UTF_8);
            int hash = Murmur2.hash(key);
            assertThat(hash).isEqualTo(Utils.murmur2(key));
            negatives += hash < 0 ? 1 : 0;
        }
        assertThat(negatives)
                .as("the sample must exercise the sign-bit handling")
                .isGreaterThan(1000);
    }

    @Test
    void keylessRecordsAreSpreadRoundRobin() {
        int[] perPartition = new int[5];
        for (int i = 0; i < 500; i++) {
            perPartition[partitioner.partition(null, 5)]++;
        }
        assertThat(perPartition).containsOnly(100);
    }

    @Test
    void zeroPartitionsIsRefusedNamingTheParameterAndValue() {
        assertThatThrownBy(() -> partitioner.partition(new byte[] {1}, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("partitionCount must be >= 1, was 0");
    }
}
