package dev.ordo.server;

import java.util.List;

/**
 * An engine's topics and consumer groups as the operator server shows them: the embedded engine's data
 * directory ({@link EmbeddedCatalog}) or a Kafka cluster ({@link KafkaCatalog}).
 */
interface Catalog extends AutoCloseable {

    /** A partition's offsets and, where the engine knows it (embedded), its size on disk; -1 otherwise. */
    record PartitionView(int partition, long startOffset, long endOffset, long sizeBytes) {}

    record TopicView(String name, String fsync, List<PartitionView> partitions, List<Integer> layouts, String sealed) {}

    record GroupPartitionView(int partition, long committed, long endOffset, long lag) {}

    /** A member of a group now: its id (the engine's: a number, or Kafka's member id and host) and partitions. */
    record MemberView(String id, List<Integer> partitions) {}

    record GroupView(
            String topic, String group, List<GroupPartitionView> partitions, long lag, List<MemberView> members) {}

    /** The topics, by name. */
    List<TopicView> topics() throws Exception;

    /** Per topic and group, the committed offset and lag of each partition. */
    List<GroupView> groups() throws Exception;

    /** Lets go of what the catalog opened itself (nothing for a log the caller owns). */
    @Override
    default void close() {}
}
