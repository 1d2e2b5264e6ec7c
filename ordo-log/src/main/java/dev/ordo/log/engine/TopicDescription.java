package dev.ordo.log.engine;

import java.util.List;

/**
 * A topic as it is now.
 *
 * @param name the topic
 * @param fsync its fsync policy as text
 * @param partitions per partition: start offset and next offset
 */
public record TopicDescription(String name, String fsync, List<PartitionState> partitions) {

    /** One partition's offsets. */
    public record PartitionState(int partition, long startOffset, long nextOffset) {}
}
