package dev.ordo.log.engine;

import dev.ordo.log.storage.PartitionLog;
import dev.ordo.partition.TopicLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the records of a topic's retired partitions once every consumer group has read past them
 * ({@link EmbeddedLog#deleteDrainedRetired}): a retired partition receives nothing more, so once each
 * group's committed offset for it reaches the end it had when it was retired, its records can go (the
 * offsets stay: a later grow continues them). The groups are those with an offsets file for the topic and
 * those with members now, one that has not committed yet standing at 0. Unsure keeps the records: a file
 * that does not name its topic and might be this one's, a group that commits its offsets with an
 * application state, and a topic no group has read yet (nobody has read them). Called under the engine's
 * monitor, which a change of the partition count holds too, so no grow makes a partition current again
 * while its records are deleted.
 */
final class RetiredPartitionCleaner {

    private static final Logger LOG = LoggerFactory.getLogger(RetiredPartitionCleaner.class);

    private RetiredPartitionCleaner() {}

    /**
     * Deletes the records of {@code topic}'s retired partitions every group has read; returns those
     * emptied. Reads the groups' files only if a retired partition still holds records.
     */
    static List<Integer> deleteDrained(String name, Topic topic, Path dataRoot, GroupCoordinator groups)
            throws IOException {
        TopicLayout layout = topic.layout();
        List<TopicLayout.Layout> layouts = layout.layouts();
        TopicLayout.Layout current = layouts.get(layouts.size() - 1);
        List<Integer> holding = new ArrayList<>();
        for (int p = layout.partitions(); p < layout.existing(); p++) {
            if (topic.partitions().get(p).startOffset() < current.start(p)) {
                holding.add(p);
            }
        }
        if (holding.isEmpty()) {
            return List.of();
        }
        List<CommittedOffsets> readers = new ArrayList<>(groups.liveOffsets(name));
        for (CommittedOffsets stored : CommittedOffsets.readAll(dataRoot)) {
            if (stored.mayBelongTo(name)) {
                readers.add(stored);
            }
        }
        if (readers.isEmpty()) {
            LOG.debug("retired partitions {} of topic '{}' keep their records: no group has read them", holding, name);
            return List.of();
        }
        List<Integer> emptied = new ArrayList<>();
        for (int p : holding) {
            long end = current.start(p); // where it ended when it was retired
            CommittedOffsets behind =
                    readers.stream().filter(r -> !r.passed(p, end)).findFirst().orElse(null);
            if (behind != null) {
                LOG.debug(
                        "retired partition {}-{} keeps its records below {}: group '{}' has not read past them"
                                + " (or its offsets are not known)",
                        name,
                        p,
                        end,
                        behind.group());
                continue;
            }
            PartitionLog log = topic.partitions().get(p);
            long start = log.startOffset();
            if (log.deleteRecordsBefore(end) >= end) {
                emptied.add(p);
            }
            LOG.info(
                    "deleted the records [{}, {}) of retired partition {}-{}: every group of the topic has read them {}",
                    start,
                    end,
                    name,
                    p,
                    groupNames(readers));
        }
        return emptied;
    }

    private static TreeSet<String> groupNames(List<CommittedOffsets> readers) {
        TreeSet<String> names = new TreeSet<>();
        readers.forEach(r -> names.add(r.group())); // each passed, so each named its group
        return names;
    }
}
