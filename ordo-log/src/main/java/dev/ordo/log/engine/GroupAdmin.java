package dev.ordo.log.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What Kafka's {@code Admin} client does with consumer groups, for an {@link EmbeddedLog}'s groups on one
 * topic: list their committed offsets, set a memberless group's offsets (a migration moving a group to
 * this engine does so), and describe their members. The groups themselves are the
 * {@link GroupCoordinator}'s, their stored offsets {@link CommittedOffsets}.
 *
 * <p>Locking: {@link #committedOffsets} and {@link #alterOffsets} are called under the engine's monitor
 * (the {@link EmbeddedLog} instance), so no change of the topic's partition count runs meanwhile;
 * {@link #members} is called without it. The groups are guarded by the coordinator's own monitor.
 */
final class GroupAdmin {

    private final Path root;
    private final Topics topics;
    private final GroupCoordinator groups;

    GroupAdmin(Path root, Topics topics, GroupCoordinator groups) {
        this.root = root;
        this.topics = topics;
        this.groups = groups;
    }

    /** See {@link EmbeddedLog#committedOffsets}. */
    Map<String, Map<Integer, Long>> committedOffsets(String topic) throws IOException {
        topics.get(topic);
        return CommittedOffsets.byGroup(root, groups.liveOffsets(topic), topic);
    }

    /** See {@link EmbeddedLog#alterGroupOffsets}. */
    void alterOffsets(String topic, String group, Map<Integer, Long> offsets) throws IOException {
        Objects.requireNonNull(group, "group must not be null");
        int partitions = topics.get(topic).partitions().size();
        offsets.forEach((partition, offset) -> {
            if (partition < 0 || partition >= partitions) {
                throw new IllegalArgumentException(
                        "partition must be in [0, " + partitions + ") of topic '" + topic + "', was " + partition);
            }
            if (offset < 0) {
                throw new IllegalArgumentException("offset of partition " + partition + " must be >= 0, was " + offset);
            }
        });
        topics.requireOpen();
        groups.alterOffsets(group, topic, partitions, offsets);
    }

    /** See {@link EmbeddedLog#groupMembers}. */
    Map<String, Map<Long, Set<Integer>>> members(String topic) {
        topics.get(topic);
        return groups.members(topic);
    }
}
