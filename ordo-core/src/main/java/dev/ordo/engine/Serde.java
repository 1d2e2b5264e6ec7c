package dev.ordo.engine;

import java.util.Objects;

/**
 * A {@link Serializer} and a {@link Deserializer} of one type together, as Kafka Streams' {@code Serde}:
 * what producers and consumers of one topic share. See {@link Serdes} for the built-in ones.
 *
 * @param <T> the type
 */
public interface Serde<T> extends Serializer<T>, Deserializer<T> {

    /** A serde of the two halves. */
    static <T> Serde<T> of(Serializer<T> serializer, Deserializer<T> deserializer) {
        Objects.requireNonNull(serializer, "serializer must not be null");
        Objects.requireNonNull(deserializer, "deserializer must not be null");
        return new Serde<>() {
            @Override
            public byte[] serialize(String topic, T data) {
                return serializer.serialize(topic, data);
            }

            @Override
            public T deserialize(String topic, byte[] data) {
                return deserializer.deserialize(topic, data);
            }
        };
    }
}
