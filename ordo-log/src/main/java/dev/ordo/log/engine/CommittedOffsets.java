package dev.ordo.log.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A consumer group's committed offsets for one topic, in {@code <data>/groups/<group>.<topic>.offsets}
 * (JSON: partition -> next offset to read). Written to a temporary file, forced to disk, then
 * renamed over the old one, so a crash leaves either the old or the new commit, never half of one.
 */
final class CommittedOffsets {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Map<Integer, Long> offsets = new HashMap<>();

    private CommittedOffsets(Path file) {
        this.file = file;
    }

    static CommittedOffsets load(Path dataRoot, String group, String topic) throws IOException {
        Path dir = dataRoot.resolve("groups");
        Files.createDirectories(dir);
        CommittedOffsets committed = new CommittedOffsets(dir.resolve(group + "." + topic + ".offsets"));
        if (Files.exists(committed.file)) {
            JSON.readTree(committed.file.toFile()).fields()
                    .forEachRemaining(e -> committed.offsets.put(Integer.parseInt(e.getKey()), e.getValue().asLong()));
        }
        return committed;
    }

    synchronized long get(int partition) {
        return offsets.getOrDefault(partition, 0L);
    }

    /** Stores {@code next} for the partitions given (only moving forward) and writes the file atomically. */
    synchronized void commit(Map<Integer, Long> next) throws IOException {
        boolean changed = false;
        for (Map.Entry<Integer, Long> e : next.entrySet()) {
            if (e.getValue() > get(e.getKey())) {
                offsets.put(e.getKey(), e.getValue());
                changed = true;
            }
        }
        if (!changed) {
            return;
        }
        ObjectNode node = JSON.createObjectNode();
        offsets.forEach((p, o) -> node.put(String.valueOf(p), o));
        AtomicFile.write(file, JSON.writeValueAsBytes(node));
    }
}
