package dev.ordo.log.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ordo.log.storage.AtomicFile;
import dev.ordo.log.storage.CorruptionPolicy;
import dev.ordo.log.storage.LogConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A topic's description, {@code <data>/<topic>.topic} (JSON: partitions, fsync policy, segment and
 * retention settings, corruption policy; docs/log-format.md): the topic exists exactly while this
 * file does. Written atomically, read when the engine opens and by the offline checks.
 */
final class TopicFile {

    static final String SUFFIX = ".topic";

    private static final ObjectMapper JSON = new ObjectMapper();

    private TopicFile() {}

    /** The description file of {@code topic} in the data directory {@code root}. */
    static Path of(Path root, String topic) {
        return root.resolve(topic + SUFFIX);
    }

    /** The names of the topics described in {@code root}, sorted. */
    static List<String> names(Path root) throws IOException {
        try (Stream<Path> files = Files.list(root)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith(SUFFIX))
                    .map(name -> name.substring(0, name.length() - SUFFIX.length()))
                    .sorted()
                    .toList();
        }
    }

    /** Replaces the description of {@code topic} atomically. */
    static void write(Path root, String topic, TopicSpec spec) throws IOException {
        ObjectNode node = JSON.createObjectNode();
        LogConfig log = spec.log();
        node.put("partitions", spec.partitions());
        node.put("fsync", spec.fsyncText());
        node.put("segmentBytes", log.segmentBytes());
        node.put("indexIntervalBytes", log.indexIntervalBytes());
        node.put("maxBatchBytes", log.maxBatchBytes());
        node.put(
                "segmentAgeMs", log.segmentAge() == null ? -1 : log.segmentAge().toMillis());
        node.put("retentionBytes", log.retention().maxBytes());
        node.put(
                "retentionMs",
                log.retention().maxAge() == null ? -1 : log.retention().maxAge().toMillis());
        node.put("onCorruption", log.corruption().name().toLowerCase(Locale.ROOT));
        AtomicFile.write(of(root, topic), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
    }

    /** Reads the description of {@code topic}. */
    static TopicSpec read(Path root, String topic) throws IOException {
        JsonNode node = JSON.readTree(of(root, topic).toFile());
        long segmentAgeMs = node.path("segmentAgeMs").asLong(-1);
        long retentionMs = node.path("retentionMs").asLong(-1);
        LogConfig config = new LogConfig(
                node.get("segmentBytes").asInt(),
                node.get("indexIntervalBytes").asInt(),
                node.get("maxBatchBytes").asInt(),
                TopicSpec.parseFsync(node.get("fsync").asText()),
                segmentAgeMs < 0 ? null : Duration.ofMillis(segmentAgeMs),
                new LogConfig.Retention(
                        node.path("retentionBytes").asLong(-1),
                        retentionMs < 0 ? null : Duration.ofMillis(retentionMs)),
                CorruptionPolicy.valueOf(
                        node.path("onCorruption").asText("stop").toUpperCase(Locale.ROOT)));
        return new TopicSpec(node.get("partitions").asInt(), config);
    }
}
