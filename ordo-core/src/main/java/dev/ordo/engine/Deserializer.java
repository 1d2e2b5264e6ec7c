package dev.ordo.engine;

/**
 * Turns a record's key or value bytes back into an object, as Kafka's {@code Deserializer} does.
 * Runs on the handler's thread, just before the handler: what it throws is a failure of that record
 * (retried and then handled by the consumer's failure policy, as a handler's exception is). Must be
 * thread-safe.
 *
 * @param <T> the type produced
 */
@FunctionalInterface
public interface Deserializer<T> {

    /**
     * @param topic the topic the record came from
     * @param data the bytes; may be null (the built-in ones then return null)
     */
    T deserialize(String topic, byte[] data);
}
