package dev.ordo.kafka;

import dev.ordo.engine.Deserializer;
import dev.ordo.engine.Serializer;
import java.util.Objects;

/**
 * Kafka's own serializers and deserializers as Ordo's, for the Kafka engine's producers and consumers
 * (and the embedded engine's: the bytes are the same). The wrapped one must be configured already.
 *
 * <pre>{@code
 * KafkaOrdoProducer.builder(bootstrap, "orders",
 *         KafkaSerdes.serializer(new StringSerializer()), KafkaSerdes.serializer(new LongSerializer())).build();
 * }</pre>
 */
public final class KafkaSerdes {

    private KafkaSerdes() {}

    /** Ordo's {@link Serializer} doing what Kafka's {@code serializer} does. */
    public static <T> Serializer<T> serializer(org.apache.kafka.common.serialization.Serializer<T> serializer) {
        Objects.requireNonNull(serializer, "serializer must not be null");
        return serializer::serialize;
    }

    /** Ordo's {@link Deserializer} doing what Kafka's {@code deserializer} does. */
    public static <T> Deserializer<T> deserializer(org.apache.kafka.common.serialization.Deserializer<T> deserializer) {
        Objects.requireNonNull(deserializer, "deserializer must not be null");
        return deserializer::deserialize;
    }
}
