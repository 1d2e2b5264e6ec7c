package dev.ordo.engine;

import java.util.Arrays;
import java.util.Objects;

/**
 * One record header: a name and a value of bytes (null allowed), as in Kafka. Part of {@link Headers}.
 *
 * @param key the header's name, not null
 * @param value its bytes; may be null
 */
public record Header(String key, byte[] value) {

    public Header {
        Objects.requireNonNull(key, "header key must not be null");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Header h && key.equals(h.key) && Arrays.equals(value, h.value);
    }

    @Override
    public int hashCode() {
        return 31 * key.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return key + "=" + (value == null ? "null" : value.length + " bytes");
    }
}
