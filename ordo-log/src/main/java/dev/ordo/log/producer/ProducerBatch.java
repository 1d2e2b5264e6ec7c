package dev.ordo.log.producer;

import dev.ordo.engine.Header;
import dev.ordo.log.storage.RecordBatch;
import java.util.List;

/**
 * One partition's records on their way through a {@link BatchSender}: already encoded as the log
 * stores them, with their futures. Filled by sending threads under the sender's lock, then written and
 * completed by the sender thread alone.
 */
final class ProducerBatch {

    /** Bytes a record adds to a batch beyond its key, value and headers (varint lengths and deltas, generously). */
    private static final int RECORD_OVERHEAD = 32;

    final int partition;
    final long createdNanos;
    final RecordBatch.Builder records;
    /** Its records' futures, in record order, linked through {@link SendFuture#next}. */
    SendFuture first;

    private SendFuture last;
    /** How many records it holds. */
    int count;
    /** What the batch's records hold of the send buffer, released once the batch is done (written, forced if due). */
    long bufferBytes;
    /** Where the batch was appended (its first offset and the offset after it), or why it failed. */
    long base = -1;

    long end;
    Throwable error;

    ProducerBatch(int partition, RecordBatch.Builder records) {
        this.partition = partition;
        this.createdNanos = System.nanoTime();
        this.records = records;
    }

    /** Adds the record unless the batch is full (a first record always fits). */
    boolean tryAdd(long timestamp, byte[] key, byte[] value, List<Header> headers, long cost, SendFuture future) {
        if (!records.tryAppend(timestamp, key, value, headers)) {
            return false;
        }
        if (last == null) {
            first = future;
        } else {
            last.next = future;
        }
        last = future;
        count++;
        bufferBytes += cost;
        return true;
    }

    /** About how many bytes the record takes in a batch (never fewer). */
    static int sizeOf(byte[] key, byte[] value, List<Header> headers) {
        int size = RECORD_OVERHEAD + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        for (Header h : headers) {
            size += 8 + h.key().length() * 3 + (h.value() == null ? 0 : h.value().length);
        }
        return size;
    }
}
