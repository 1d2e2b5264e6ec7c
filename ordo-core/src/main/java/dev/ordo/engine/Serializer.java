package dev.ordo.engine;

/**
 * Turns a key or value into the bytes a record carries, as Kafka's {@code Serializer} does (and a
 * Kafka serializer can be wrapped as one on the Kafka engine). Must be thread-safe.
 *
 * @param <T> the type serialized
 */
@FunctionalInterface
public interface Serializer<T> {

    /**
     * @param topic the topic the record goes to
     * @param data the key or value; may be null (a null key or value is sent as null by the built-in ones)
     */
    byte[] serialize(String topic, T data);
}
