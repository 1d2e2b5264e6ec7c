package dev.ordo.log.engine;

import dev.ordo.partition.Placement;
import dev.ordo.partition.TopicLayout;
import java.util.List;

/**
 * A topic as it is now.
 *
 * @param name the topic
 * @param fsync its fsync policy as text
 * @param partitions per partition (retired ones too): start offset and next offset
 * @param placement how keys are placed on the partitions
 * @param layout the partition counts the topic has had and where each began, the current one last
 */
public record TopicDescription(
        String name, String fsync, List<PartitionState> partitions, Placement placement, TopicLayout layout) {

    /** One partition's offsets. */
    public record PartitionState(int partition, long startOffset, long nextOffset) {}
}
