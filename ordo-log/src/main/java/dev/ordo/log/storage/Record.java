package dev.ordo.log.storage;

import dev.ordo.engine.Header;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One record of a partition log: its offset, timestamp (ms), optional key and value, and headers.
 * On append the offset is assigned by the log; records read back carry it.
 */
public record Record(long offset, long timestamp, byte[] key, byte[] value, List<Header> headers) {

    public Record {
        Objects.requireNonNull(headers, "headers must not be null");
        headers = List.copyOf(headers);
    }

    /** A record to append (its offset is assigned by the log). */
    public static Record of(long timestamp, byte[] key, byte[] value) {
        return new Record(-1, timestamp, key, value, List.of());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Record r
                && offset == r.offset
                && timestamp == r.timestamp
                && Arrays.equals(key, r.key)
                && Arrays.equals(value, r.value)
                && headers.equals(r.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(offset, timestamp, Arrays.hashCode(key), Arrays.hashCode(value), headers);
    }

    @Override
    public String toString() {
        return "Record[offset=" + offset + ", timestamp=" + timestamp + ", key="
                + (key == null ? "null" : key.length + " bytes") + ", value="
                + (value == null ? "null" : value.length + " bytes") + ", headers=" + headers + "]";
    }
}
