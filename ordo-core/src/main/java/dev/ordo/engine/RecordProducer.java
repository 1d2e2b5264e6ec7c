package dev.ordo.engine;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * What the producers of both engines do: send a keyed record to the partition of its key and
 * acknowledge it once it is durable by the engine's rules. Code written against this interface
 * moves between the embedded log and Kafka by changing how the producer is created.
 */
public interface RecordProducer extends AutoCloseable {

    /** Sends a record (key may be null); the future completes with where it was stored. */
    CompletableFuture<Acknowledgement> send(byte[] key, byte[] value);

    /** Sends a record with a UTF-8 key (may be null) and value. */
    default CompletableFuture<Acknowledgement> send(String key, String value) {
        return send(
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /** Waits until every record sent so far is acknowledged or failed. */
    void flush();

    @Override
    void close();
}
