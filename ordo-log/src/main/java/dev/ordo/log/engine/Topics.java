package dev.ordo.log.engine;

import dev.ordo.log.storage.PartitionLog;
import dev.ordo.partition.TopicLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The topics of an {@link EmbeddedLog} by name, each with its partition logs: found by every append, read
 * and offset lookup, and opened, created, replaced, deleted and closed with their descriptions
 * ({@link TopicFile}) and partition directories ({@link PartitionDirectories}) in step. A closed engine
 * has none, and a lookup then says the engine is closed rather than that the topic does not exist.
 *
 * <p>Locking: the map is concurrent, so lookups take no lock and producers and consumers of different
 * partitions never queue behind each other here; every change is made under the engine's monitor
 * (the {@link EmbeddedLog} instance), which serializes them with changes of a partition count and seals.
 */
final class Topics {

    private final Path root;
    private final PartitionDirectories directories;
    /** Throws {@link IllegalStateException} once the engine is closed (see {@link #requireOpen()}). */
    private final Runnable requireOpen;

    /** Sorted for {@link #names()}; changed under the engine's monitor, read without it. */
    private final Map<String, Topic> byName = new ConcurrentSkipListMap<>();

    private final Map<String, Topic> view = Collections.unmodifiableMap(byName);

    /** The topics of the data directory {@code root}, their partitions in {@code directories}. */
    Topics(Path root, PartitionDirectories directories, Runnable requireOpen) {
        this.root = root;
        this.directories = directories;
        this.requireOpen = requireOpen;
    }

    /** Throws {@link IllegalStateException} once the engine is closed. */
    void requireOpen() {
        requireOpen.run();
    }

    /** Every topic by name, as it is now (a live view, read without a lock). */
    Map<String, Topic> byName() {
        return view;
    }

    /** The topics' names, sorted. */
    List<String> names() {
        return List.copyOf(byName.keySet());
    }

    /** The topic, or null if there is none of that name (deleted, or the engine closed, meanwhile). */
    Topic find(String name) {
        return byName.get(name);
    }

    /** The topic, found without a lock; a closed engine has none, and says it is closed. */
    Topic get(String name) {
        Topic topic = byName.get(name);
        if (topic == null) {
            requireOpen.run();
            throw new IllegalArgumentException(
                    "topic '" + name + "' does not exist; existing topics: " + byName.keySet());
        }
        return topic;
    }

    /** The partition's log. */
    PartitionLog partition(String name, int partition) {
        Topic topic = get(name);
        if (partition < 0 || partition >= topic.partitions().size()) {
            throw new IllegalArgumentException("partition must be in [0, "
                    + topic.partitions().size() + ") for topic '" + name + "', was " + partition);
        }
        return topic.partitions().get(partition);
    }

    /** Each topic's partitions, by name (for meters). */
    Map<String, List<PartitionLog>> partitionsByName() {
        Map<String, List<PartitionLog>> partitions = new HashMap<>();
        byName.forEach((name, topic) -> partitions.put(name, topic.partitions()));
        return partitions;
    }

    /**
     * Opens every topic the data directory describes, after handing the directories of deleted topics whose
     * deletion a stop cut short to the background deleter; returns their names (before the engine is shared).
     */
    List<String> openAll() throws IOException {
        directories.deleteLeftDeletions();
        List<String> names = TopicFile.names(root);
        for (String name : names) {
            open(name, TopicFile.read(root, name));
        }
        return names;
    }

    /** Opens a topic the data directory holds, as its description {@code stored} says. */
    private void open(String name, TopicFile.Stored stored) throws IOException {
        directories.deletePartitionsFrom(name, stored.layout().existing()); // made by a change of the count cut short
        List<PartitionLog> partitions =
                directories.open(name, stored.spec(), 0, stored.layout().existing());
        byName.put(name, Topic.opened(stored.spec(), partitions, stored.layout()));
    }

    /**
     * Creates a topic (engine's monitor held); returns its partitions.
     *
     * @throws IllegalArgumentException if the topic exists
     */
    List<PartitionLog> create(String name, TopicSpec spec) throws IOException {
        if (byName.containsKey(name)) {
            throw new IllegalArgumentException("topic '" + name + "' already exists");
        }
        TopicLayout layout = TopicLayout.initial(spec.partitions());
        List<PartitionLog> partitions = directories.create(name, spec, layout);
        byName.put(name, Topic.opened(spec, partitions, layout));
        return partitions;
    }

    /** Puts the topic as a change of its count or settings made it in place of the old one (engine's monitor held). */
    void replace(String name, Topic changed) {
        byName.put(name, changed);
    }

    /**
     * Closes the topic's partitions and removes it with its description, from which on it no longer exists,
     * also after a crash (engine's monitor held); its partition directories are left to {@link #deleteLater}.
     */
    void remove(String name, Topic topic) throws IOException {
        for (PartitionLog log : topic.partitions()) {
            log.close();
        }
        byName.remove(name);
        Files.deleteIfExists(TopicFile.of(root, name));
    }

    /** Deletes the partition directories of a removed topic in the background (see {@link PartitionDirectories}). */
    void deleteLater(String name, Topic removed) throws IOException {
        directories.deleteLater(name, removed.partitions().size());
    }

    /** Closes every topic's partitions (forcing what they hold, per their fsync policy) and forgets them all. */
    void closeAll() throws IOException {
        for (Topic topic : byName.values()) {
            for (PartitionLog log : topic.partitions()) {
                log.close();
            }
        }
        byName.clear();
    }
}
