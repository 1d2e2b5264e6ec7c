package dev.ordo.log.engine;

import dev.ordo.log.storage.LogConfig;
import dev.ordo.partition.Placement;
import dev.ordo.partition.TopicLayout;
import java.util.List;

/**
 * A topic as it is now.
 *
 * @param name the topic
 * @param fsync its fsync policy as text
 * @param partitions per partition (retired ones too): start offset and next offset, equal for a retired
 *     partition whose records every group had read and which were then deleted
 * @param placement how keys are placed on the partitions
 * @param layout the partition counts the topic has had and where each began, the current one last
 * @param hotKey a key that alone carries more than an auto-scaled topic's target per partition, or null
 * @param log the partitions' configuration now (segment size, retention, fsync policy as changed by
 *     {@link EmbeddedLog#alterTopic})
 */
public record TopicDescription(
        String name,
        String fsync,
        List<PartitionState> partitions,
        Placement placement,
        TopicLayout layout,
        String hotKey,
        LogConfig log) {

    /**
     * One partition's offsets and load.
     *
     * @param recordsPerSecond records appended per second, as the engine last measured (0 before it did)
     * @param bytesPerSecond bytes appended per second, measured with it
     * @param sizeBytes the bytes of its segments on disk
     */
    public record PartitionState(
            int partition,
            long startOffset,
            long nextOffset,
            double recordsPerSecond,
            double bytesPerSecond,
            long sizeBytes) {}
}
