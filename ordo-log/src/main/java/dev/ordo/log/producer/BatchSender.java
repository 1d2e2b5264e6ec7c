package dev.ordo.log.producer;

import dev.ordo.OrdoInterruptedException;
import dev.ordo.OverloadedException;
import dev.ordo.engine.Acknowledgement;
import dev.ordo.engine.Header;
import dev.ordo.log.engine.ClientAccess;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.ProducerRegistry;
import dev.ordo.log.engine.TopicWriter;
import dev.ordo.partition.Partitioner;
import dev.ordo.partition.TopicLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The engine of an {@link OrdoProducer}: records already turned into bytes, batched per partition in
 * the log's format and appended by a sender thread. {@link #send} picks the partition from the key,
 * encodes the record into that partition's open batch (on the sending thread) and returns a future
 * completed with the partition and offset once the record is appended, durable per the topic's fsync
 * policy. Records sent while an append (and its fsync) runs form the next batch, so batching grows
 * with load by itself; {@code linger} trades latency for larger batches on purpose. When the topic
 * forces every batch, the sender first appends the round of batches it took (one per partition,
 * mostly), then forces their partitions in parallel, then completes their futures: the file system
 * commits forces that run together in one journal transaction, where one after another each waits
 * for the last.
 *
 * <p>Idempotence, order and the send buffer are described on {@link OrdoProducer}. Futures complete
 * on the sender thread. Thread-safe.
 */
final class BatchSender {

    /**
     * Heap a queued record costs beyond its bytes (its future, linked to the next one of its batch,
     * and the acknowledgement it completes with), counted against {@code bufferBytes} so that
     * the bound holds for the heap, not just the payload.
     */
    static final int HEAP_OVERHEAD_PER_RECORD = 64;

    /** Placed by its key: no partition given. */
    static final int BY_KEY = -1;

    /** How long the sender watches for a new batch before parking, while records come steadily. */
    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(20);

    private final EmbeddedLog log;
    private final String topic;
    private final Partitioner partitioner;
    /** Whether {@link #partitioner} is the topic's placement (not one of the application's). */
    private final boolean placesByTopic;
    /** The count records are placed by, closed while the topic changes it. */
    private final LayoutGate gate;

    private final Writer writer = new Writer();
    private final int maxRecordBytes;
    /** The most bytes of records (with {@link #HEAP_OVERHEAD_PER_RECORD}) queued or being written. */
    private final SendBuffer buffer;
    /** Per partition, the batches the sending threads fill and the sender takes (guarded by {@code lock}). */
    private final BatchQueues queues;
    /** Appends, forces and completes what the sender took (on the sender thread). */
    private final BatchAppender appender;

    private final ReentrantLock lock = new ReentrantLock();

    private final Thread sender;
    private volatile boolean closed;

    /** What a sender is made of: its producer builder's settings. */
    record Settings(
            EmbeddedLog log,
            String topic,
            boolean idempotent,
            String name,
            Partitioner partitioner,
            Duration linger,
            int batchBytes,
            long bufferBytes,
            Duration maxBlock) {}

    BatchSender(Settings b) throws IOException {
        this.log = b.log;
        this.topic = b.topic;
        TopicLayout layout = log.layout(topic);
        int partitions = layout.existing();
        this.placesByTopic = b.partitioner == null;
        this.partitioner = placesByTopic ? ClientAccess.placement(log, topic).partitioner() : b.partitioner;
        ProducerRegistry.Identity identity = b.idempotent ? ClientAccess.registerProducer(log, b.name) : null;
        this.maxRecordBytes = ClientAccess.maxBatchBytes(log, topic) - 128;
        int batchBytes = Math.min(b.batchBytes, maxRecordBytes);
        this.buffer = new SendBuffer(lock, b.bufferBytes, b.maxBlock, topic, () -> closed);
        this.gate = new LayoutGate(lock, layout, b.maxBlock, topic);
        this.queues = new BatchQueues(lock, partitions, batchBytes, b.linger.toNanos(), b.bufferBytes, () -> closed);
        this.appender = new BatchAppender(log, topic, identity, buffer, partitions);
        TopicLayout registered = ClientAccess.registerWriter(log, topic, writer);
        if (!registered.equals(layout)) {
            writer.resume(registered); // the count changed between the look and the registration
        }
        this.sender = new Thread(this::sendLoop, "ordo-producer-" + topic + (b.name == null ? "" : "-" + b.name));
        this.sender.setDaemon(true);
        this.sender.start();
    }

    /** How a change of the topic's partition count pauses this producer ({@link EmbeddedLog#alterPartitions}). */
    private final class Writer implements TopicWriter {
        @Override
        public boolean pause(long deadlineNanos) throws InterruptedException {
            lock.lock();
            try {
                gate.close();
            } finally {
                lock.unlock();
            }
            return awaitSent(deadlineNanos);
        }

        @Override
        public void resume(TopicLayout layout) {
            lock.lock();
            try {
                queues.cover(layout.existing());
                gate.open(layout);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean placesByTopic() {
            return placesByTopic;
        }
    }

    /**
     * Sends a record with headers to the partition of its key, waiting up to {@code maxBlock} while the
     * send buffer is full.
     *
     * @throws IllegalStateException if the producer is closed
     * @throws IllegalArgumentException if the record is larger than the topic's batch limit or the send buffer
     * @throws OverloadedException if the buffer stayed full for {@code maxBlock}; nothing was queued
     */
    CompletableFuture<Acknowledgement> send(byte[] key, byte[] value, List<Header> headers, long timestamp) {
        return send(BY_KEY, key, value, headers, timestamp);
    }

    /** As {@link #send(byte[], byte[], List, long)}, to {@code partition} (or {@link #BY_KEY}). */
    CompletableFuture<Acknowledgement> send(
            int partition, byte[] key, byte[] value, List<Header> headers, long timestamp) {
        Objects.requireNonNull(headers, "headers must not be null");
        if (closed) {
            throw new IllegalStateException("producer for topic '" + topic + "' is closed");
        }
        Throwable failed = appender.failure();
        if (failed != null) {
            return CompletableFuture.failedFuture(failed);
        }
        int size = ProducerBatch.sizeOf(key, value, headers);
        if (size > maxRecordBytes) {
            throw new IllegalArgumentException("record of about " + size + " bytes exceeds the largest record topic '"
                    + topic + "' accepts, " + maxRecordBytes + " bytes");
        }
        long cost = size + HEAP_OVERHEAD_PER_RECORD;
        if (cost > buffer.capacity()) {
            throw new IllegalArgumentException("record of about " + size + " bytes does not fit the send buffer of "
                    + buffer.capacity() + " bytes (bufferBytes)");
        }
        int fixed = partition;
        int count = gate.partitions();
        partition = fixed == BY_KEY ? partitioner.partition(key, count) : fixed;
        SendFuture future = new SendFuture();
        lockSpinningFirst();
        try {
            // Placed by the count of the moment the record is queued: a change of the count waits for it.
            while (true) {
                gate.awaitOpen();
                if (count != gate.partitions()) {
                    count = gate.partitions();
                    partition = fixed == BY_KEY ? partitioner.partition(key, count) : fixed;
                }
                buffer.awaitSpace(cost); // may release the lock: a change may begin meanwhile
                if (gate.isOpen() && count == gate.partitions()) {
                    break;
                }
            }
            queues.add(partition, timestamp, key, value, headers, size, cost, future);
            buffer.reserve(cost); // queued: from here the sender gives it back
        } finally {
            lock.unlock();
        }
        return future;
    }

    /** Waits until every record sent before this call is acknowledged or failed. */
    void flush() {
        try {
            awaitSent(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrdoInterruptedException("interrupted while flushing the producer of topic '" + topic + "'", e);
        }
    }

    /** {@link #flush()} until {@code deadlineNanos} at most; false if records were still unsent then. */
    private boolean awaitSent(long deadlineNanos) throws InterruptedException {
        List<CompletableFuture<Acknowledgement>> last;
        lock.lock();
        try {
            last = queues.lastFutures();
        } finally {
            lock.unlock();
        }
        // Per partition, batches complete in order, so the last future done means all before it are.
        for (CompletableFuture<Acknowledgement> f : last) {
            try {
                if (deadlineNanos == Long.MAX_VALUE) {
                    f.handle((ack, error) -> null).join();
                } else {
                    f.handle((ack, error) -> null)
                            .get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
            } catch (TimeoutException e) {
                return false;
            } catch (ExecutionException e) {
                throw new AssertionError(e); // handle() completes normally
            }
        }
        return true;
    }

    /** The producer's id, or -1 when it is not idempotent. */
    long producerId() {
        return appender.producerId();
    }

    /** The producer's epoch, or -1 when it is not idempotent. */
    short epoch() {
        return appender.epoch();
    }

    /** Batches appended so far (fewer than records when batching works). */
    long batchesWritten() {
        return appender.batchesWritten();
    }

    /** Bytes of the send buffer in use: records queued or being written, with their overhead (for tests). */
    long bufferInUse() {
        return buffer.inUse();
    }

    /** Batch buffers allocated so far rather than reused (for tests). */
    long buffersAllocated() {
        lock.lock();
        try {
            return queues.buffersAllocated();
        } finally {
            lock.unlock();
        }
    }

    /** Records appended so far. */
    long recordsWritten() {
        return appender.recordsWritten();
    }

    /**
     * Sends everything queued and waits for it, at most {@code timeout}; what is still unsent then fails
     * with {@code abortCause}. Later sends throw {@link IllegalStateException}. Idempotent.
     */
    void close(Duration timeout) {
        lock.lock();
        try {
            closed = true;
            queues.wakeSender();
        } finally {
            lock.unlock();
        }
        try {
            sender.join(Math.max(1, timeout.toMillis()));
            if (sender.isAlive()) {
                appender.abort(); // the sender fails what it takes from now on
                sender.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ClientAccess.unregisterWriter(log, topic, writer);
        }
    }

    private void sendLoop() {
        boolean spin = true;
        List<ProducerBatch> ready = new ArrayList<>();
        List<ByteBuffer> written = new ArrayList<>();
        while (true) {
            try {
                take(false, written, ready);
                if (ready.isEmpty() && !written.isEmpty()) {
                    appender.burstWritten(); // the burst of ready batches is written: wake readers once
                }
                written.clear();
                if (ready.isEmpty()) {
                    // Nothing ready. While records come steadily, a new one is microseconds away:
                    // watching for it briefly saves the sending thread a wake-up call (a system call)
                    // per batch. When they come sparsely, parking at once costs nothing extra.
                    // Closed or not, the waiting take decides whether to stop: it takes a lingering
                    // batch at once when closed and returns nothing only when nothing is queued.
                    if (spin && !closed) {
                        int seen = queues.batchesOpened();
                        long deadline = System.nanoTime() + SPIN_NANOS;
                        while (queues.batchesOpened() == seen && !closed && System.nanoTime() < deadline) {
                            Thread.onSpinWait();
                        }
                    }
                    long idleSince = System.nanoTime();
                    take(true, written, ready);
                    spin = System.nanoTime() - idleSince < SPIN_NANOS;
                }
            } catch (InterruptedException e) {
                return;
            }
            if (ready.isEmpty()) {
                return; // closed and drained
            }
            appender.write(ready, written);
            ready.clear();
        }
    }

    /**
     * Takes the lock, trying it for a moment before queueing for it. Both sides hold it briefly (a
     * sending thread for one record's encoding, the sender thread to take the ready batches), while
     * a thread that queues parks and must be woken: JFR counted 140,000 parks of one sending thread
     * on this lock in 2 M sends before the spin, each a system call and a context switch.
     */
    private void lockSpinningFirst() {
        for (int i = 0; i < 100; i++) {
            if (lock.tryLock()) {
                return;
            }
            Thread.onSpinWait();
        }
        lock.lock();
    }

    /**
     * Takes every ready batch into {@code out} (see {@link BatchQueues#takeReady}) and pools the buffers of the
     * batches written last, in one turn of the lock: the sender takes the lock once per round of
     * partitions, not once per batch, so it rarely has to queue behind the sending threads.
     */
    private void take(boolean wait, List<ByteBuffer> written, List<ProducerBatch> out) throws InterruptedException {
        lockSpinningFirst();
        try {
            queues.keep(written);
            queues.takeReady(wait, out);
        } finally {
            lock.unlock();
        }
    }
}
