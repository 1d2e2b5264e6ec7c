package dev.ordo.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ordo.log.storage.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a migration into the embedded engine keeps its state: {@code <data>/migrations/<target topic>.json},
 * replaced atomically after each step's records are appended:
 * {@code {"id": "kafka/ledger>ledger", "state": {...}, "written": [120, 98, 131]}}, {@code written} being the
 * target's end offsets once the step was appended. Records beyond those ends were appended by a step cut
 * short; the next run finds them there ({@link EmbeddedWriter}).
 */
final class MigrationFile {

    /** One stored state of the migration. */
    record Entry(String id, MigrationState state, long[] written) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;

    MigrationFile(Path dataRoot, String target) {
        this.file = dataRoot.resolve("migrations").resolve(target + ".json");
    }

    /** The last stored state, if a migration into the topic started. */
    Optional<Entry> read() throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        JsonNode node = JSON.readTree(file.toFile());
        if (node == null || !node.has("id") || !node.has("state") || !node.has("written")) {
            throw new IOException(file + " holds no migration state");
        }
        long[] written = new long[node.get("written").size()];
        for (int q = 0; q < written.length; q++) {
            written[q] = node.get("written").get(q).asLong();
        }
        return Optional.of(new Entry(
                node.get("id").asText(),
                MigrationState.fromJson(node.get("state").toString()),
                written));
    }

    /** Replaces the stored state (forced to disk before it counts). */
    void write(String id, MigrationState state, long[] written) throws IOException {
        Files.createDirectories(file.getParent());
        ObjectNode node = JSON.createObjectNode();
        node.put("id", id);
        node.set("state", JSON.readTree(state.toJson()));
        ArrayNode ends = node.putArray("written");
        for (long end : written) {
            ends.add(end);
        }
        AtomicFile.write(file, JSON.writeValueAsBytes(node));
    }

    @Override
    public String toString() {
        return file.toString();
    }
}
