package dev.ordo.engine;

import java.nio.charset.StandardCharsets;

/**
 * A record as a consumer of either engine (the embedded log or Kafka) hands it to its handler, so
 * that a handler written against this interface runs on both unchanged.
 */
public interface OrdoRecord {

    String topic();

    int partition();

    long offset();

    /** Epoch milliseconds: the producer's timestamp (its event time, when it gave one). */
    long timestamp();

    /** May be null. */
    byte[] key();

    /** May be null. */
    byte[] value();

    default String keyAsString() {
        return key() == null ? null : new String(key(), StandardCharsets.UTF_8);
    }

    default String valueAsString() {
        return value() == null ? null : new String(value(), StandardCharsets.UTF_8);
    }
}
