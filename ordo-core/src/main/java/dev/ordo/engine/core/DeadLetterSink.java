package dev.ordo.engine.core;

import dev.ordo.engine.Headers;

/**
 * Where an engine writes a record that failed every attempt under {@code OnFailure.DEAD_LETTER}: its
 * dead-letter topic. {@link #send} returns only once the copy is durable by the engine's rules, so a
 * crash before it means the record is handled again, never lost. For engine implementations.
 */
@FunctionalInterface
public interface DeadLetterSink {

    /** Appends the copy and waits for its acknowledgement; throws if it could not be stored. */
    void send(String topic, byte[] key, byte[] value, Headers headers) throws Exception;
}
