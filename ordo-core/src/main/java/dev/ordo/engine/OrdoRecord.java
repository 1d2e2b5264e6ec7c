package dev.ordo.engine;

/**
 * A record as a consumer of either engine (the embedded log or Kafka) hands it to its
 * {@link RecordHandler}: where it came from, its timestamp, its key and value (deserialized by the
 * consumer's {@link Deserializer}s) and its {@link Headers}. A handler written against this interface
 * runs on both engines unchanged.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface OrdoRecord<K, V> {

    String topic();

    int partition();

    long offset();

    /** Epoch milliseconds: the producer's timestamp (the one it was given, else the time it sent the record). */
    long timestamp();

    /** May be null. */
    K key();

    /** May be null. */
    V value();

    /** The record's headers (Ordo's own among them: {@link OrdoHeaders}); empty, never null. */
    Headers headers();
}
