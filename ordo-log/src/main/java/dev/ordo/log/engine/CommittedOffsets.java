package dev.ordo.log.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ordo.log.storage.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A consumer group's committed offsets for one topic, in {@code <data>/groups/<group>.<topic>.offsets}
 * (JSON: the group, the topic and partition -> next offset to read; docs/log-format.md, "Consumer group
 * offsets"). Written to a temporary file, forced to disk, then renamed over the old one, so a crash
 * leaves either the old or the new commit, never half of one. Files written before they named their
 * group and topic are read too: they count as their name's.
 *
 * <p>Public only for Ordo's own producer and consumer (see {@link ClientAccess}); not an API.
 */
public final class CommittedOffsets {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String SUFFIX = ".offsets";
    private static final String HASHED_PREFIX = "offsets-";

    private final Path file;
    /** Null in a file written before files named them (read by {@link #readAll} only). */
    private final String group;

    private final String topic;
    private final Map<Integer, Long> offsets = new HashMap<>();
    /** The group's consumer commits its offsets with an application state, not here (see {@link #keptInState()}). */
    private boolean inState;

    private CommittedOffsets(Path file, String group, String topic) {
        this.file = file;
        this.group = group;
        this.topic = topic;
    }

    /**
     * The offsets of {@code group} on {@code topic}; {@code inUse} are the files of the groups this engine
     * has loaded, which no other pair may share.
     *
     * @throws IllegalStateException if the file holds another group's or topic's offsets
     */
    static CommittedOffsets load(Path dataRoot, String group, String topic, Set<Path> inUse) throws IOException {
        Path dir = dataRoot.resolve("groups");
        Files.createDirectories(dir);
        Path file = locate(dir, group, topic, inUse);
        if (!Files.exists(file)) {
            return new CommittedOffsets(file, group, topic);
        }
        CommittedOffsets stored = read(file);
        if (!stored.mayBelongTo(group, topic)) {
            throw new IllegalStateException(file + " holds the offsets of group '" + stored.group + "' on topic '"
                    + stored.topic + "', not of group '" + group + "' on topic '" + topic + "'");
        }
        CommittedOffsets committed = new CommittedOffsets(file, group, topic);
        committed.offsets.putAll(stored.offsets);
        committed.inState = stored.inState;
        return committed;
    }

    /**
     * The file of {@code group} on {@code topic}: {@code <group>.<topic>.offsets}, or {@code offsets-<40 hex
     * of SHA-256 of both>} where that would pass the file system's 255 bytes (a group and a topic near their
     * limits of 200 and 249 characters) or belongs to another pair (group "a.b" on topic "c" and group "a" on
     * topic "b.c" have the same plain name: the second to come takes the hashed one, and keeps it).
     */
    private static Path locate(Path dir, String group, String topic, Set<Path> inUse) throws IOException {
        Path hashed = dir.resolve(hashedName(group, topic));
        String plainName = group + "." + topic + SUFFIX;
        if (plainName.getBytes(StandardCharsets.UTF_8).length > 255 || Files.exists(hashed)) {
            return hashed;
        }
        Path plain = dir.resolve(plainName);
        boolean another =
                inUse.contains(plain) || Files.exists(plain) && !read(plain).mayBelongTo(group, topic);
        return another ? hashed : plain;
    }

    private static String hashedName(String group, String topic) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((group + "\n" + topic).getBytes(StandardCharsets.UTF_8));
            return HASHED_PREFIX + HexFormat.of().formatHex(digest).substring(0, 40);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /**
     * Every group's offsets file in the data directory {@code dataRoot}, as stored; a file written
     * before files named their group and topic has neither ({@link #mayBelongTo(String)} decides).
     */
    static List<CommittedOffsets> readAll(Path dataRoot) throws IOException {
        Path dir = dataRoot.resolve("groups");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<CommittedOffsets> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(SUFFIX) || name.startsWith(HASHED_PREFIX) && !name.endsWith(".tmp")) {
                    all.add(read(file));
                }
            }
        }
        return all;
    }

    /**
     * The committed offsets of {@code topic}'s groups, by group: those in the offsets files of the data
     * directory {@code dataRoot}, overridden by the {@code live} ones (fresher); groups that commit with an
     * application state are left out.
     */
    static Map<String, Map<Integer, Long>> byGroup(Path dataRoot, List<CommittedOffsets> live, String topic)
            throws IOException {
        Map<String, Map<Integer, Long>> byGroup = new TreeMap<>();
        List<CommittedOffsets> all = new ArrayList<>(readAll(dataRoot));
        all.addAll(live);
        for (CommittedOffsets offsets : all) {
            if (topic.equals(offsets.topic) && offsets.group != null && !offsets.inState()) {
                byGroup.put(offsets.group, offsets.snapshot());
            }
        }
        return byGroup;
    }

    private static CommittedOffsets read(Path file) throws IOException {
        JsonNode node = JSON.readTree(file.toFile());
        if (node == null || !node.isObject()) {
            throw new IOException(file + " holds no JSON object of committed offsets");
        }
        boolean named = node.has("offsets"); // else written before files named their group and topic
        CommittedOffsets stored = new CommittedOffsets(file, text(node, "group"), text(node, "topic"));
        (named ? node.get("offsets") : node)
                .fields()
                .forEachRemaining(e -> stored.offsets.put(
                        Integer.parseInt(e.getKey()), e.getValue().asLong()));
        stored.inState = node.path("inState").asBoolean(false);
        return stored;
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }

    /** Whether the file may be {@code group}'s on {@code topic}: it names them, or does not say. */
    private boolean mayBelongTo(String group, String topic) {
        return (this.group == null || this.group.equals(group)) && (this.topic == null || this.topic.equals(topic));
    }

    /**
     * Whether the file may be a group's on {@code topic}: it says so, or (written before files named their
     * topic) its name allows it. Unsure is yes: it keeps records a group may still need.
     */
    boolean mayBelongTo(String topic) {
        if (this.topic != null) {
            return this.topic.equals(topic);
        }
        String name = file.getFileName().toString();
        return name.startsWith(HASHED_PREFIX) || name.endsWith("." + topic + SUFFIX);
    }

    /** The group, or null for a file written before files named it. */
    String group() {
        return group;
    }

    /**
     * Whether the group has read every record of {@code partition} below {@code end}, as far as it is known:
     * false for a file that does not name its topic or a group that commits its offsets with an
     * application state.
     */
    synchronized boolean passed(int partition, long end) {
        return topic != null && !inState && get(partition) >= end;
    }

    /**
     * The group's consumer commits its offsets with an application state (a {@code CommittedState}), not
     * here: the file says so (written once), so that nothing is deleted that the state may still need to
     * read, also while the consumer is stopped.
     */
    synchronized void keptInState() throws IOException {
        if (!inState) {
            write(Map.of(), false, true);
        }
    }

    /** The committed next offset of each partition the group committed for, as stored now. */
    synchronized Map<Integer, Long> snapshot() {
        return Map.copyOf(offsets);
    }

    /** Whether the group's consumer commits its offsets with an application state, not here. */
    synchronized boolean inState() {
        return inState;
    }

    /** The topic, or null for a file written before files named it. */
    String topic() {
        return topic;
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
        write(next, false, inState);
    }

    /**
     * Stores {@code next} for the partition even if it is behind what is committed: for a log that
     * ends before the committed offset (records lost to a power loss), so that the group's commits
     * count from the new end again.
     */
    public synchronized void rewind(int partition, long next) throws IOException {
        write(Map.of(partition, next), true, inState);
    }

    /** Stores {@code next} for the partitions given, behind or ahead, in one write (a group set by an operator). */
    synchronized void reset(Map<Integer, Long> next) throws IOException {
        write(next, true, inState);
    }

    private void write(Map<Integer, Long> next, boolean backwards, boolean keptInState) throws IOException {
        Map<Integer, Long> updated = new HashMap<>(offsets);
        boolean changed = keptInState != inState;
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
        node.put("group", group);
        node.put("topic", topic);
        if (keptInState) {
            node.put("inState", true);
        }
        ObjectNode partitions = node.putObject("offsets");
        updated.forEach((p, o) -> partitions.put(String.valueOf(p), o));
        AtomicFile.write(file, JSON.writeValueAsBytes(node));
        offsets.putAll(updated);
        inState = keptInState;
    }

    /** The file (tests). */
    Path file() {
        return file;
    }
}
