package dev.ordo.engine.core;

import dev.ordo.engine.Headers;
import dev.ordo.engine.OrdoRecord;

/** The {@link OrdoRecord} handlers of both engines receive. */
record ConsumedRecord<K, V>(String topic, int partition, long offset, long timestamp, K key, V value, Headers headers)
        implements OrdoRecord<K, V> {

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
