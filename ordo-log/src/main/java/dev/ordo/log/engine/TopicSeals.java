package dev.ordo.log.engine;

import dev.ordo.log.storage.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The topics closed to appends for good ({@link EmbeddedLog#seal}), each with the reason given, kept in
 * {@code <data>/<topic>.seal}: a topic moved to another engine must refuse its producers also after a
 * restart, or their records would be acknowledged where nobody reads them any more. Read without a lock
 * by every append.
 */
final class TopicSeals {

    static final String SUFFIX = ".seal";

    private final Path root;
    private final Map<String, String> reasons = new ConcurrentHashMap<>();

    private TopicSeals(Path root) {
        this.root = root;
    }

    /** The seals of the topics {@code names} in the data directory {@code root}. */
    static TopicSeals load(Path root, Iterable<String> names) throws IOException {
        TopicSeals seals = new TopicSeals(root);
        for (String name : names) {
            Path file = file(root, name);
            if (Files.exists(file)) {
                seals.reasons.put(name, Files.readString(file, StandardCharsets.UTF_8));
            }
        }
        return seals;
    }

    /** Seals {@code topic} for good: durable when this returns. */
    void seal(String topic, String reason) throws IOException {
        AtomicFile.write(file(root, topic), reason.getBytes(StandardCharsets.UTF_8));
        reasons.put(topic, reason);
    }

    /** Why {@code topic} is sealed, if it is. */
    Optional<String> reason(String topic) {
        return Optional.ofNullable(reasons.get(topic));
    }

    /** Throws {@link TopicSealedException} if {@code topic} is sealed. */
    void requireOpen(String topic) {
        String reason = reasons.get(topic);
        if (reason != null) {
            throw new TopicSealedException(topic, reason);
        }
    }

    /** The topic is deleted: its seal goes with it (a topic of the same name starts open). */
    void deleted(String topic) throws IOException {
        reasons.remove(topic);
        Files.deleteIfExists(file(root, topic));
    }

    private static Path file(Path root, String topic) {
        return root.resolve(topic + SUFFIX);
    }
}
