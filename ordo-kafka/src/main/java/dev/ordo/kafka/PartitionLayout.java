package dev.ordo.kafka;

import dev.ordo.partition.Partitioner;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;

/**
 * What a producer knows about its topic's partitions: the count it places keys by, the counts the
 * topic had before ({@code history}, oldest first, ending with {@code partitions}) and the end offset
 * of every partition when it took this count up ({@code ends}), below which a moved key's earlier
 * records lie. See {@link PartitionFence}.
 */
record PartitionLayout(int partitions, List<Integer> history, Map<Integer, Long> ends) {

    PartitionLayout {
        history = List.copyOf(history);
        ends = Map.copyOf(ends);
    }

    /** A layout with nothing before it: no key has moved. */
    static PartitionLayout initial(int partitions) {
        return new PartitionLayout(partitions, List.of(partitions), Map.of());
    }

    /**
     * Adds a {@link PartitionFence#HEADER} for every earlier count under which {@code key} lived in
     * another partition than {@code partition} and that partition held records.
     */
    void fence(byte[] key, int partition, Partitioner partitioner, Headers headers) {
        int earlierCounts = history.size() - 1;
        int[] fenced = new int[earlierCounts];
        int n = 0;
        for (int i = 0; i < earlierCounts; i++) {
            int earlier = partitioner.partition(key, history.get(i));
            long end = ends.getOrDefault(earlier, 0L);
            if (earlier == partition || end == 0 || contains(fenced, n, earlier)) {
                continue;
            }
            fenced[n++] = earlier;
            headers.add(PartitionFence.HEADER, PartitionFence.encode(earlier, end));
        }
    }

    private static boolean contains(int[] values, int count, int value) {
        for (int i = 0; i < count; i++) {
            if (values[i] == value) {
                return true;
            }
        }
        return false;
    }
}
