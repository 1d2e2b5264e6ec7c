package dev.ordo.log.consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ordo.engine.CommittedState;
import dev.ordo.engine.Ordering;
import dev.ordo.log.storage.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A {@link CommittedState} holding one object that Jackson can serialize, snapshotted with the
 * consumer's offsets into a single file replaced atomically ({@code {"offsets": {...}, "state": ...}}).
 * Suits state up to some megabytes; the whole object is written at each commit.
 *
 * <pre>{@code
 * JsonSnapshotState<Balances> balances =
 *         new JsonSnapshotState<>(dir.resolve("balances.json"), Balances.class, Balances::new);
 * OrdoConsumer.builder(log, "ledger").group("balances").committedState(balances)
 *         .handler(r -> balances.value().apply(r)).start();
 * }</pre>
 *
 * @param <T> the state's type; handlers mutate {@link #value()}, so it must be safe for the
 *        consumer's ordering mode (under {@link Ordering#KEY}, for concurrent use across keys). Declare
 *        such fields with their concrete thread-safe type ({@code ConcurrentHashMap}, not {@code Map}):
 *        Jackson restores the declared type, and a plain {@code HashMap} restored after a crash loses
 *        updates made concurrently.
 */
public final class JsonSnapshotState<T> implements CommittedState {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Class<T> type;
    private final Supplier<T> initial;
    private volatile T value;

    public JsonSnapshotState(Path file, Class<T> type, Supplier<T> initial) {
        this.file = Objects.requireNonNull(file, "file must not be null");
        this.type = Objects.requireNonNull(type, "type must not be null");
        this.initial = Objects.requireNonNull(initial, "initial must not be null");
        this.value = Objects.requireNonNull(initial.get(), "initial value must not be null");
    }

    /** The live state (as restored, then as handlers change it). */
    public T value() {
        return value;
    }

    @Override
    public Map<Integer, Long> restore() throws IOException {
        Map<Integer, Long> offsets = new HashMap<>();
        if (!Files.exists(file)) {
            value = initial.get();
            return offsets;
        }
        JsonNode node = JSON.readTree(file.toFile());
        node.get("offsets")
                .fields()
                .forEachRemaining(e ->
                        offsets.put(Integer.parseInt(e.getKey()), e.getValue().asLong()));
        value = JSON.treeToValue(node.get("state"), type);
        return offsets;
    }

    @Override
    public void commit(Map<Integer, Long> nextOffsets) throws IOException {
        ObjectNode node = JSON.createObjectNode();
        ObjectNode offsets = node.putObject("offsets");
        nextOffsets.forEach((p, o) -> offsets.put(String.valueOf(p), o));
        node.set("state", JSON.valueToTree(value));
        AtomicFile.write(file, JSON.writeValueAsBytes(node));
    }
}
