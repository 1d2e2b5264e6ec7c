package dev.ordo.engine.core;

import dev.ordo.engine.Headers;
import dev.ordo.exec.KeyOrderedExecutor;
import dev.ordo.exec.QueuedTask;

/**
 * A record as an engine fetched it, before deserialization: what it hands to the {@link RecordDispatcher}.
 * Handed over, the same object is the record's task on the handlers' executor (a {@link QueuedTask}) until
 * it ends: one object per record from fetch to handler, where a record, the dispatcher's task and the
 * executor's entry were three (144 B against 64 B). An engine makes one per record it fetched; one handed
 * over again (a partition fetched anew) is copied by the dispatcher. Compared by identity.
 */
public final class RawRecord extends QueuedTask {

    private final int partition;
    private final long offset;
    private final long timestamp;
    private final byte[] key;
    private final byte[] value;
    private final Headers headers;

    // The dispatcher's, written on the fetching thread before the record is submitted (which publishes them).
    /** The ownership it was dispatched under; null until then. */
    Assignment assignment;
    /** The hand-over it came in (its stage, finding it by offset); null until dispatched. */
    DispatchedBatch batch;
    /** The key the executor runs it under (its ordering's execution key). */
    Object executionKey;
    /** Set when the record was not handled (its partition released, or handling stopped). */
    boolean dropped;

    /**
     * @param partition the partition it was read from
     * @param offset its offset there
     * @param timestamp epoch milliseconds
     * @param key may be null
     * @param value may be null
     * @param headers never null
     */
    public RawRecord(int partition, long offset, long timestamp, byte[] key, byte[] value, Headers headers) {
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
        this.headers = headers;
    }

    public int partition() {
        return partition;
    }

    public long offset() {
        return offset;
    }

    public long timestamp() {
        return timestamp;
    }

    public byte[] key() {
        return key;
    }

    public byte[] value() {
        return value;
    }

    public Headers headers() {
        return headers;
    }

    /** The value's size, charged against byte budgets. */
    public int valueBytes() {
        return value == null ? 0 : value.length;
    }

    /** The same record, not handed over. */
    RawRecord copy() {
        return new RawRecord(partition, offset, timestamp, key, value, headers);
    }

    /** The handler call, on a handler thread; only for a record handed over. */
    @Override
    public void run() throws Exception {
        batch.stage.run(this);
    }

    @Override
    protected void ended(KeyOrderedExecutor.Outcome outcome, Throwable error) {
        batch.stage.ended(this, outcome, error);
    }

    @Override
    public String toString() {
        return (batch == null ? "" : batch.stage.topic() + "-") + partition + "@" + offset;
    }
}
