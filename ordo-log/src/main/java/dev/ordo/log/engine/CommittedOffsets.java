package dev.ordo.log.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ordo.log.storage.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * A consumer group's committed offsets for one topic, in {@code <data>/groups/<group>.<topic>.offsets}
 * (JSON: partition -> next offset to read). Written to a temporary file, forced to disk, then
 * renamed over the old one, so a crash leaves either the old or the new commit, never half of one.
 *
 * <p>Public only for Ordo's own producer and consumer (see {@link ClientAccess}); not an API.
 */
public final class CommittedOffsets {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Map<Integer, Long> offsets = new HashMap<>();

    private CommittedOffsets(Path file) {
        this.file = file;
    }

    static CommittedOffsets load(Path dataRoot, String group, String topic) throws IOException {
        Path dir = dataRoot.resolve("groups");
        Files.createDirectories(dir);
        CommittedOffsets committed = new CommittedOffsets(dir.resolve(fileName(group, topic)));
        if (Files.exists(committed.file)) {
            JSON.readTree(committed.file.toFile())
                    .fields()
                    .forEachRemaining(e -> committed.offsets.put(
                            Integer.parseInt(e.getKey()), e.getValue().asLong()));
        }
        return committed;
    }

    /**
     * {@code <group>.<topic>.offsets}, or, where that would pass the file system's 255 bytes (a group and a
     * topic near their limits of 200 and 249 characters), {@code offsets-<40 hex of SHA-256 of both>}.
     */
    static String fileName(String group, String topic) {
        String plain = group + "." + topic + ".offsets";
        if (plain.getBytes(StandardCharsets.UTF_8).length <= 255) {
            return plain;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((group + "\n" + topic).getBytes(StandardCharsets.UTF_8));
            return "offsets-" + HexFormat.of().formatHex(digest).substring(0, 40);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The committed next offset of {@code partition} (0 if none). */
    public synchronized long get(int partition) {
        return offsets.getOrDefault(partition, 0L);
    }

    /**
     * Stores {@code next} for the partitions given (only moving forward) and writes the file
     * atomically. The offsets count as committed only once the file is written: after a failed
     * write, {@link #get} still says what the file says, and the same commit is attempted again.
     */
    public synchronized void commit(Map<Integer, Long> next) throws IOException {
        write(next, false);
    }

    /**
     * Stores {@code next} for the partition even if it is behind what is committed: for a log that
     * ends before the committed offset (records lost to a power loss), so that the group's commits
     * count from the new end again.
     */
    public synchronized void rewind(int partition, long next) throws IOException {
        write(Map.of(partition, next), true);
    }

    private void write(Map<Integer, Long> next, boolean backwards) throws IOException {
        Map<Integer, Long> updated = new HashMap<>(offsets);
        boolean changed = false;
        for (Map.Entry<Integer, Long> e : next.entrySet()) {
            long current = updated.getOrDefault(e.getKey(), 0L);
            if (e.getValue() > current || backwards && e.getValue() != current) {
                updated.put(e.getKey(), e.getValue());
                changed = true;
            }
        }
        if (!changed) {
            return;
        }
        ObjectNode node = JSON.createObjectNode();
        updated.forEach((p, o) -> node.put(String.valueOf(p), o));
        AtomicFile.write(file, JSON.writeValueAsBytes(node));
        offsets.putAll(updated);
    }
}
