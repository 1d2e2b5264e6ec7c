package dev.ordo.log.engine;

import dev.ordo.log.storage.BackgroundDeleter;
import dev.ordo.log.storage.DataDirectory;
import dev.ordo.log.storage.Directories;
import dev.ordo.log.storage.LogFlusher;
import dev.ordo.log.storage.PartitionLog;
import dev.ordo.partition.TopicLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partition directories {@code <data>/<topic>-<n>/} of an {@link EmbeddedLog}'s data directory:
 * opened as partition logs, and deleted where no topic claims them. A topic's description is deleted
 * first and written last, so a creation, deletion or change of the partition count cut short leaves
 * directories of no topic behind, which must not become part of a topic created later; a deleted
 * topic's directories are renamed at once and deleted in the background. Called under the engine's
 * monitor (or before it is shared).
 */
final class PartitionDirectories {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionDirectories.class);

    /** The suffix of a deleted topic's partition directory waiting for its background deletion. */
    private static final String DELETED_SUFFIX = ".deleted";

    private static final Pattern DELETED_PARTITION =
            Pattern.compile(".+-\\d+\\.[0-9a-f]{32}" + Pattern.quote(DELETED_SUFFIX));

    private final DataDirectory data;
    private final LogFlusher flusher;
    private final BackgroundDeleter deleter;

    PartitionDirectories(DataDirectory data, LogFlusher flusher, BackgroundDeleter deleter) {
        this.data = data;
        this.flusher = flusher;
        this.deleter = deleter;
    }

    /**
     * Makes a new topic's partitions and then its description ({@link TopicFile}), from which on the topic
     * exists, also after a restart; a failure (a full disk, say) leaves no topic, rather than one that
     * vanishes at the next open with its records. Partition directories of that name no description
     * claimed are deleted first.
     */
    List<PartitionLog> create(String name, TopicSpec spec, TopicLayout layout) throws IOException {
        deleteLeftPartitions(name);
        List<PartitionLog> partitions = open(name, spec, 0, spec.partitions());
        try {
            TopicFile.write(data.root(), name, spec, layout);
        } catch (IOException | RuntimeException e) {
            closeAll(partitions, e);
            deleteLeftPartitions(name);
            throw e;
        }
        return partitions;
    }

    /** Opens partitions {@code from} to {@code to} (exclusive) of the topic, or, closing those it opened, none. */
    List<PartitionLog> open(String name, TopicSpec spec, int from, int to) throws IOException {
        List<PartitionLog> partitions = new ArrayList<>();
        try {
            for (int p = from; p < to; p++) {
                partitions.add(PartitionLog.open(data.partitionDirectory(name, p), spec.log(), flusher, deleter));
            }
        } catch (IOException | RuntimeException e) {
            closeAll(partitions, e);
            throw e;
        }
        return List.copyOf(partitions);
    }

    /** Closes the partitions, adding what closing throws to {@code failure}. */
    static void closeAll(List<PartitionLog> partitions, Throwable failure) {
        for (PartitionLog partition : partitions) {
            try {
                partition.close();
            } catch (IOException | RuntimeException e) {
                failure.addSuppressed(e);
            }
        }
    }

    /**
     * Deletes partition directories of {@code name} that no topic description claims: a deletion or
     * creation cut short left them (the description is deleted first and written last), and a new
     * topic of that name must not take up their records.
     */
    void deleteLeftPartitions(String name) throws IOException {
        // A directory of another shape is not ours to delete (nor, if the topic needs it as a partition, to open: that
        // fails).
        for (Path dir : partitionDirectories(Pattern.compile(Pattern.quote(name) + "-\\d+"))) {
            LOG.warn(
                    "deleting {}: a partition directory of no topic, "
                            + "left by a deletion or creation of topic '{}' cut short",
                    dir,
                    name);
            Directories.deleteRecursively(dir);
        }
    }

    /**
     * Deletes the topic's partition directories numbered {@code from} or more: a change of the partition
     * count made them, empty, and stopped before it recorded the new layout.
     */
    void deletePartitionsFrom(String name, int from) throws IOException {
        for (int p = from; Files.isDirectory(data.partitionDirectory(name, p)); p++) {
            Path dir = data.partitionDirectory(name, p);
            if (!DataDirectory.isPartitionDirectory(dir)) {
                return; // holds something else: not ours to delete
            }
            LOG.warn("deleting {}: a partition a change of topic '{}' cut short had added", dir, name);
            Directories.deleteRecursively(dir);
        }
    }

    /**
     * Renames the {@code partitions} partition directories of a deleted (and closed) topic
     * {@code <topic>-<p>.<id>.deleted} and deletes them in the background: freeing the blocks of large
     * segments takes hundreds of milliseconds per GiB.
     */
    void deleteLater(String name, int partitions) throws IOException {
        String id = UUID.randomUUID().toString().replace("-", "");
        List<Path> renamed = new ArrayList<>();
        try {
            for (int p = 0; p < partitions; p++) {
                Path dir = data.partitionDirectory(name, p);
                if (Files.exists(dir)) {
                    renamed.add(Files.move(
                            dir, dir.resolveSibling(deletedName(name, p, id)), StandardCopyOption.ATOMIC_MOVE));
                }
            }
        } finally { // a partition not renamed (an I/O error) is deleted when a topic of that name is created
            deleter.deleteLater(renamed);
        }
    }

    /**
     * {@code <topic>-<partition>.<id>.deleted}, the topic's name cut (as Kafka cuts it) so that the
     * whole stays within the 255 bytes of a file name.
     */
    static String deletedName(String topic, int partition, String id) {
        String tail = "-" + partition + "." + id + DELETED_SUFFIX;
        return topic.substring(0, Math.min(topic.length(), 255 - tail.length())) + tail;
    }

    /** Partition directories of deleted topics whose deletion a stop cut short: deleted in the background. */
    void deleteLeftDeletions() throws IOException {
        List<Path> left = partitionDirectories(DELETED_PARTITION);
        if (!left.isEmpty()) {
            LOG.info("deleting {} partition directories of deleted topics in the background: {}", left.size(), left);
            deleter.deleteLater(left);
        }
    }

    /**
     * The directories in the data directory whose names match {@code names} and that hold nothing
     * but partition files.
     */
    private List<Path> partitionDirectories(Pattern names) throws IOException {
        List<Path> matching;
        try (Stream<Path> files = Files.list(data.root())) {
            matching = files.filter(
                            f -> names.matcher(f.getFileName().toString()).matches())
                    .toList();
        }
        List<Path> partitions = new ArrayList<>();
        for (Path dir : matching) {
            if (DataDirectory.isPartitionDirectory(dir)) {
                partitions.add(dir);
            }
        }
        return partitions;
    }
}
