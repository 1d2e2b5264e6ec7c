package dev.ordo.log.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ordo.log.storage.AtomicFile;
import dev.ordo.log.storage.CorruptionPolicy;
import dev.ordo.log.storage.LogConfig;
import dev.ordo.partition.Placement;
import dev.ordo.partition.TopicLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A topic's description, {@code <data>/<topic>.topic} (JSON: partitions, fsync policy, segment and
 * retention settings, corruption policy, key placement and the layout history; docs/log-format.md): the
 * topic exists exactly while this file does. Written atomically (a change of the partition count is the
 * old file or the new one, never a mix), read when the engine opens and by the offline checks.
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

    /** What the file holds: the topic's settings (with its current partition count) and its layouts. */
    record Stored(TopicSpec spec, TopicLayout layout) {}

    /** Replaces the description of {@code topic} atomically. */
    static void write(Path root, String topic, TopicSpec spec, TopicLayout layout) throws IOException {
        ObjectNode node = JSON.createObjectNode();
        LogConfig log = spec.log();
        node.put("partitions", spec.partitions());
        node.put("placement", spec.placement().text());
        if (spec.autoScale() != null) {
            node.putObject("autoScale")
                    .put("min", spec.autoScale().min())
                    .put("max", spec.autoScale().max())
                    .put("targetPerPartition", spec.autoScale().targetPerPartition());
        }
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
        ArrayNode layouts = node.putArray("layouts");
        for (TopicLayout.Layout l : layout.layouts()) {
            ArrayNode starts =
                    layouts.addObject().put("partitions", l.partitions()).putArray("starts");
            for (long start : l.starts()) {
                starts.add(start);
            }
        }
        AtomicFile.write(of(root, topic), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
    }

    /**
     * Reads the description of {@code topic}; a file without layouts (written before partition counts
     * could change) has the one layout it was created with.
     *
     * @throws IOException if the layouts do not agree with the partition count or with each other
     */
    static Stored read(Path root, String topic) throws IOException {
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
        JsonNode scale = node.path("autoScale");
        AutoScale autoScale = scale.isMissingNode()
                ? null
                : new AutoScale(
                        scale.get("min").asInt(),
                        scale.get("max").asInt(),
                        scale.get("targetPerPartition").asDouble());
        TopicSpec spec = new TopicSpec(
                node.get("partitions").asInt(),
                config,
                Placement.parse(node.path("placement").asText("kafka")),
                autoScale);
        return new Stored(spec, layout(topic, node.path("layouts"), spec.partitions()));
    }

    private static TopicLayout layout(String topic, JsonNode layouts, int partitions) throws IOException {
        if (layouts.isMissingNode()) {
            return TopicLayout.initial(partitions);
        }
        try {
            List<TopicLayout.Layout> read = new ArrayList<>();
            for (JsonNode l : layouts) {
                JsonNode starts = l.get("starts");
                long[] offsets = new long[starts.size()];
                for (int q = 0; q < offsets.length; q++) {
                    offsets[q] = starts.get(q).asLong();
                }
                read.add(new TopicLayout.Layout(l.get("partitions").asInt(), offsets));
            }
            TopicLayout layout = TopicLayout.of(read);
            if (layout.partitions() != partitions) {
                throw new IllegalArgumentException(
                        "its last layout has " + layout.partitions() + " partitions, the topic " + partitions);
            }
            return layout;
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IOException("the layout history of topic '" + topic + "' is damaged: " + e.getMessage(), e);
        }
    }
}
