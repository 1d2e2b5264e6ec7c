package dev.ordo.log.engine;

import dev.ordo.log.storage.DataDirectory;
import dev.ordo.log.storage.SegmentDamage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The offline checks of a topic ({@link EmbeddedLog#checkTopic}, {@link EmbeddedLog#repairTopic}):
 * one look at each of its partition directories, with the data directory locked so that no engine
 * has it open meanwhile, and without opening the topic (whose damage may keep an engine from opening).
 */
final class TopicCheck {

    /** A look at one partition directory. */
    interface PartitionTask {
        List<SegmentDamage> run(Path partitionDirectory) throws IOException;
    }

    private TopicCheck() {}

    /** Runs {@code task} on each partition directory of {@code topic} in {@code root}; returns what they found. */
    static List<SegmentDamage> eachPartition(Path root, String topic, PartitionTask task) throws IOException {
        Objects.requireNonNull(root, "root must not be null");
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("root must be a data directory, was " + root
                    + (Files.exists(root) ? " (not a directory)" : " (no such directory)"));
        }
        try (DataDirectory data = DataDirectory.open(root)) {
            if (!Files.exists(TopicFile.of(root, DataDirectory.requireValidTopic(topic)))) {
                throw new IllegalArgumentException(
                        "topic '" + topic + "' does not exist; existing topics: " + TopicFile.names(root));
            }
            List<SegmentDamage> found = new ArrayList<>();
            for (int p = 0; p < TopicFile.read(root, topic).layout().existing(); p++) {
                Path dir = data.partitionDirectory(topic, p);
                if (Files.isDirectory(dir)) {
                    found.addAll(task.run(dir));
                }
            }
            return found;
        }
    }
}
