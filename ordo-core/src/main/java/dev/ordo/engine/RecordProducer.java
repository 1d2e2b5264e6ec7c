package dev.ordo.engine;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * What the producers of both engines do: send a keyed record to the partition of its key and
 * acknowledge it once it is durable by the engine's rules. Code written against this interface moves
 * between the embedded log and Kafka by changing how the producer is created.
 *
 * <p>A producer sends to one topic, as Pulsar's do: the embedded engine keeps its batches and its
 * idempotence sequences per partition of that topic. Make one per topic; they are cheap.
 *
 * <pre>{@code
 * try (RecordProducer<String, Txn> producer = OrdoProducer.builder(log, "ledger", Serdes.string(), txnSerde).build()) {
 *     producer.send("ACC-1", deposit).thenAccept(ack -> log(ack.partition(), ack.offset()));
 * }   // close() sends what is queued and waits for it
 * }</pre>
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface RecordProducer<K, V> extends AutoCloseable {

    /** The topic this producer sends to. */
    String topic();

    /**
     * Sends a record (the key may be null); the future completes with where it was stored, or
     * exceptionally if it could not be.
     *
     * @throws IllegalStateException if the producer is closed
     */
    default CompletableFuture<Acknowledgement> send(K key, V value) {
        return send(OutgoingRecord.of(key, value));
    }

    /**
     * Sends a record with its headers and, if it has one, its timestamp.
     *
     * @throws IllegalStateException if the producer is closed
     */
    CompletableFuture<Acknowledgement> send(OutgoingRecord<K, V> record);

    /** Waits until every record sent so far is acknowledged or failed. */
    void flush();

    /** Sends what is queued, waits for it, and releases the producer's resources. Idempotent. */
    @Override
    void close();

    /**
     * As {@link #close()}, waiting at most {@code timeout}; records not acknowledged by then fail
     * their futures.
     */
    void close(Duration timeout);
}
