package dev.ordo.audit;

import dev.ordo.engine.Headers;
import dev.ordo.engine.OrdoRecord;

/** A record as a consumer hands it to its handler, made up by a test. */
record TestRecord(String topic, int partition, long offset, String key, String value, Headers headers)
        implements OrdoRecord<String, String> {

    static TestRecord of(int partition, long offset, String key) {
        return new TestRecord("orders", partition, offset, key, "v" + offset, Headers.empty());
    }

    @Override
    public long timestamp() {
        return 0;
    }
}
