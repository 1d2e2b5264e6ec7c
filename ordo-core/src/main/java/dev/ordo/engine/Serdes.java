package dev.ordo.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The built-in {@link Serde}s: bytes as they are, UTF-8 text, 8-byte big-endian longs (Kafka's
 * {@code LongSerializer} layout) and JSON through Jackson. Each turns null into null both ways.
 *
 * <pre>{@code
 * OrdoProducer<String, Txn> producer = OrdoProducer.builder(log, "ledger", Serdes.string(), Serdes.json(Txn.class))
 *         .build();
 * }</pre>
 */
public final class Serdes {

    private static final Serde<byte[]> BYTES = Serde.of((topic, data) -> data, (topic, data) -> data);
    private static final Serde<String> STRING = Serde.of(
            (topic, data) -> data == null ? null : data.getBytes(StandardCharsets.UTF_8),
            (topic, data) -> data == null ? null : new String(data, StandardCharsets.UTF_8));
    private static final Serde<Long> LONG = Serde.of(
            (topic, data) ->
                    data == null ? null : ByteBuffer.allocate(8).putLong(data).array(),
            Serdes::toLong);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Serdes() {}

    /** Bytes as they are (the default of every producer and consumer builder). */
    public static Serde<byte[]> bytes() {
        return BYTES;
    }

    /** UTF-8 text. */
    public static Serde<String> string() {
        return STRING;
    }

    /** 8-byte big-endian longs, as Kafka's {@code LongSerializer} writes them. */
    public static Serde<Long> longs() {
        return LONG;
    }

    /** JSON of {@code type} through Jackson (a default {@code ObjectMapper}). */
    public static <T> Serde<T> json(Class<T> type) {
        return json(type, MAPPER);
    }

    /** JSON of {@code type} through {@code mapper} (for your modules and settings). */
    public static <T> Serde<T> json(Class<T> type, ObjectMapper mapper) {
        Objects.requireNonNull(type, "type must not be null");
        Objects.requireNonNull(mapper, "mapper must not be null");
        return Serde.of(
                (topic, data) -> {
                    if (data == null) {
                        return null;
                    }
                    try {
                        return mapper.writeValueAsBytes(data);
                    } catch (JsonProcessingException e) {
                        throw new IllegalArgumentException(
                                "cannot write " + type.getSimpleName() + " as JSON for topic " + topic, e);
                    }
                },
                (topic, data) -> {
                    if (data == null) {
                        return null;
                    }
                    try {
                        return mapper.readValue(data, type);
                    } catch (IOException e) {
                        throw new UncheckedIOException(
                                "cannot read " + type.getSimpleName() + " from JSON of topic " + topic, e);
                    }
                });
    }

    private static Long toLong(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length != 8) {
            throw new IllegalArgumentException(
                    "a long must be 8 bytes, was " + data.length + " (a record of topic " + topic + ")");
        }
        return ByteBuffer.wrap(data).getLong();
    }
}
