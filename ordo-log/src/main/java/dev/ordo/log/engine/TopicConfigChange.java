package dev.ordo.log.engine;

import dev.ordo.log.storage.LogConfig;
import dev.ordo.log.storage.PartitionLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A change of a running topic's fsync policy, retention or segment size ({@link EmbeddedLog#alterTopic}):
 * stored first, in the topic's description (one atomic write: a crash leaves the old settings or the new),
 * then applied to each partition while producers and consumers go on. A crash between the two leaves the
 * new settings stored, which the next open applies; the partitions not yet changed kept their old policy
 * meanwhile, and every append is forced as the policy it was written under says (see
 * {@link PartitionLog#reconfigure}).
 */
final class TopicConfigChange {

    private static final Logger LOG = LoggerFactory.getLogger(TopicConfigChange.class);

    private TopicConfigChange() {}

    /**
     * Applies {@code change} to {@code topic}, named {@code name}, in the data directory {@code root}
     * (the engine's monitor held, so no change of the partition count runs meanwhile). {@code stored} gets
     * the topic with its new settings once they are stored, before the partitions apply them: what the
     * engine describes is what a restart would apply, also if a partition fails to change (offline).
     *
     * @throws IllegalArgumentException if a value is out of range; nothing is stored or changed
     */
    static void apply(Path root, String name, Topic topic, TopicChange change, Consumer<Topic> stored)
            throws IOException {
        LogConfig before = topic.spec().log();
        LogConfig after = change.applyTo(before);
        TopicSpec spec = new TopicSpec(
                topic.spec().partitions(),
                after,
                topic.spec().placement(),
                topic.spec().autoScale());
        TopicFile.write(root, name, spec, topic.layout());
        List<PartitionLog> partitions = topic.partitions();
        stored.accept(topic.changed(spec, partitions, topic.layout()));
        for (PartitionLog partition : partitions) {
            partition.reconfigure(after);
        }
        long now = System.currentTimeMillis();
        for (PartitionLog partition : partitions) {
            partition.enforceRetention(now); // a tighter retention frees its space now, not at the next roll
        }
        LOG.info(
                "topic {} changed: fsync {} -> {}, segmentBytes {} -> {}, retention {} -> {}",
                name,
                before.fsync(),
                after.fsync(),
                before.segmentBytes(),
                after.segmentBytes(),
                before.retention(),
                after.retention());
    }
}
