package dev.ordo.engine.core;

import dev.ordo.engine.Headers;

/**
 * A record as an engine fetched it, before deserialization: what it hands to the {@link RecordDispatcher}.
 *
 * @param partition the partition it was read from
 * @param offset its offset there
 * @param timestamp epoch milliseconds
 * @param key may be null
 * @param value may be null
 * @param headers never null
 */
public record RawRecord(int partition, long offset, long timestamp, byte[] key, byte[] value, Headers headers) {

    /** The value's size, charged against byte budgets. */
    public int valueBytes() {
        return value == null ? 0 : value.length;
    }
}
