package dev.ordo.log.producer;

import dev.ordo.log.storage.RecordBatch;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Buffers of written batches kept for a {@link BatchSender}'s new ones: allocating and zeroing a buffer
 * per batch was the largest allocation of a producer at 1 M records/s. Bounded by count (a sender round
 * writes a batch per partition, and a pool of 4 for 8 partitions let every other batch allocate) and by
 * bytes (an eighth of the send buffer, on top of it). No lock of its own: guarded by the sender's lock,
 * in the same turns of it in which batches are opened and taken.
 */
final class BatchBufferPool {

    private static final int POOLED_BUFFERS_PER_PARTITION = 2;
    /** The smallest buffer a new batch starts with; it grows by doubling up to the batch limit. */
    private static final int MIN_BATCH_CAPACITY = 1024;

    private final int maxBuffers;
    private final long maxBytes;
    /** The batch limit new batch builders are made with. */
    private final int batchBytes;

    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    /** Bytes in {@link #free}. */
    private long pooledBytes;
    /** Batch buffers allocated rather than taken from the pool (for tests). */
    private long allocated;

    BatchBufferPool(int partitions, long bufferBytes, int batchBytes) {
        this.maxBuffers = POOLED_BUFFERS_PER_PARTITION * partitions;
        this.maxBytes = bufferBytes / 8;
        this.batchBytes = batchBytes;
    }

    /**
     * A batch builder with room for at least {@code bytes} (up to the batch limit): on a pooled buffer if
     * one is large enough, else on a new one. A pooled buffer too small for this batch is dropped: the
     * pool follows the batches' sizes up.
     */
    RecordBatch.Builder newBatch(int bytes) {
        // A power of two, so that pooled buffers come in few sizes and fit the next batches.
        int capacity = (int) Math.min(batchBytes, ceilingPowerOfTwo(Math.max(MIN_BATCH_CAPACITY, bytes)));
        ByteBuffer pooled = free.pollFirst();
        if (pooled != null) {
            pooledBytes -= pooled.capacity();
        }
        if (pooled != null && pooled.capacity() >= capacity) {
            return new RecordBatch.Builder(pooled, batchBytes);
        }
        allocated++;
        return new RecordBatch.Builder(capacity, batchBytes);
    }

    /** Keeps the buffers of written batches, as many as the pool's bounds allow. */
    void keep(List<ByteBuffer> written) {
        for (ByteBuffer buffer : written) {
            if (free.size() < maxBuffers && pooledBytes + buffer.capacity() <= maxBytes) {
                free.addLast(buffer);
                pooledBytes += buffer.capacity();
            }
        }
    }

    /** Batch buffers allocated so far rather than reused. */
    long allocated() {
        return allocated;
    }

    /** The smallest power of two at least {@code n} (n >= 1). */
    private static long ceilingPowerOfTwo(int n) {
        return n <= 1 ? 1 : Long.highestOneBit(n - 1L) << 1;
    }
}
