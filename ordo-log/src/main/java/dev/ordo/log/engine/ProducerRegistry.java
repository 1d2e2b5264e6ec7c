package dev.ordo.log.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ordo.log.storage.AtomicFile;
import dev.ordo.log.storage.ProducerFencedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Idempotent producer identities of one data directory, in {@code <data>/producers.json} (written
 * atomically): the next free producer id, and for each named producer its id and current epoch.
 * Opening a named producer again bumps its epoch, which fences the previous instance on every
 * partition at once, as Kafka's transaction coordinator does for a {@code transactional.id}.
 *
 * <p>Public only for Ordo's own producer and consumer (see {@link ClientAccess}); not an API.
 */
public final class ProducerRegistry {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A producer's identity: id and epoch. */
    public record Identity(long id, short epoch) {}

    private final Path file;
    private long nextId;
    private final Map<String, Identity> named = new HashMap<>();
    private final Map<Long, Short> currentEpochs = new HashMap<>();

    private ProducerRegistry(Path file) {
        this.file = file;
    }

    static ProducerRegistry load(Path dataRoot) throws IOException {
        ProducerRegistry registry = new ProducerRegistry(dataRoot.resolve("producers.json"));
        if (Files.exists(registry.file)) {
            JsonNode node = JSON.readTree(registry.file.toFile());
            registry.nextId = node.get("nextId").asLong();
            node.get("named").fields().forEachRemaining(e -> {
                Identity identity = new Identity(e.getValue().get("id").asLong(), (short)
                        e.getValue().get("epoch").asInt());
                registry.named.put(e.getKey(), identity);
                registry.currentEpochs.put(identity.id(), identity.epoch());
            });
        }
        return registry;
    }

    /**
     * A new identity: a fresh id for an anonymous producer ({@code name == null}), or the named
     * producer's id with its epoch bumped (fencing the previous instance).
     */
    synchronized Identity register(String name) throws IOException {
        long idBefore = nextId;
        Identity namedBefore = name == null ? null : named.get(name);
        Identity identity;
        if (name == null) {
            identity = new Identity(nextId++, (short) 0);
        } else {
            Identity previous = named.get(name);
            if (previous == null) {
                identity = new Identity(nextId++, (short) 0);
            } else if (previous.epoch() == Short.MAX_VALUE) {
                // Epochs are 16 bits in the batch header; start over under a new id rather than wrap.
                identity = new Identity(nextId++, (short) 0);
            } else {
                identity = new Identity(previous.id(), (short) (previous.epoch() + 1));
            }
            named.put(name, identity);
        }
        Short epochBefore = currentEpochs.put(identity.id(), identity.epoch());
        try {
            save();
        } catch (IOException | RuntimeException e) {
            // Not registered (a full disk, say): the previous instance is not fenced, no id is used up.
            nextId = idBefore;
            if (name != null) {
                if (namedBefore == null) {
                    named.remove(name);
                } else {
                    named.put(name, namedBefore);
                }
            }
            if (epochBefore == null) {
                currentEpochs.remove(identity.id());
            } else {
                currentEpochs.put(identity.id(), epochBefore);
            }
            throw e;
        }
        return identity;
    }

    /** @throws ProducerFencedException if a newer epoch of this producer has been registered */
    synchronized void checkCurrent(Identity identity) {
        Short current = currentEpochs.get(identity.id());
        if (current != null && current > identity.epoch()) {
            throw new ProducerFencedException("producer " + identity.id() + " epoch " + identity.epoch()
                    + " is fenced: epoch " + current + " was opened since");
        }
    }

    private void save() throws IOException {
        ObjectNode node = JSON.createObjectNode();
        node.put("nextId", nextId);
        ObjectNode names = node.putObject("named");
        named.forEach((name, identity) ->
                names.putObject(name).put("id", identity.id()).put("epoch", identity.epoch()));
        AtomicFile.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
    }
}
