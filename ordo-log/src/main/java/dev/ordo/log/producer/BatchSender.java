package dev.ordo.log.producer;

import dev.ordo.OrdoInterruptedException;
import dev.ordo.OverloadedException;
import dev.ordo.engine.Acknowledgement;
import dev.ordo.engine.Header;
import dev.ordo.log.engine.ClientAccess;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.ProducerRegistry;
import dev.ordo.log.engine.TopicWriter;
import dev.ordo.log.storage.LogOfflineException;
import dev.ordo.log.storage.OutOfOrderSequenceException;
import dev.ordo.log.storage.ProducerFencedException;
import dev.ordo.log.storage.RecordBatch;
import dev.ordo.partition.Partitioner;
import dev.ordo.partition.TopicLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger LOG = LoggerFactory.getLogger(BatchSender.class);
    /**
     * Heap a queued record costs beyond its bytes (its future, its slot in the batch's list of futures
     * and the acknowledgement it completes with), counted against {@code bufferBytes} so that
     * the bound holds for the heap, not just the payload.
     */
    static final int HEAP_OVERHEAD_PER_RECORD = 64;

    private static final int MIN_FUTURES = 8;
    /** How long the sender watches for a new batch before parking, while records come steadily. */
    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(20);

    private static final int IO_RETRIES = 3;

    private final EmbeddedLog log;
    private final String topic;
    private final Partitioner partitioner;
    /** Whether {@link #partitioner} is the topic's placement (not one of the application's). */
    private final boolean placesByTopic;
    /** The count records are placed by, closed while the topic changes it. */
    private final LayoutGate gate;

    private final Writer writer = new Writer();
    private final ProducerRegistry.Identity identity;
    private final int batchBytes;
    private final int maxRecordBytes;
    private final long lingerNanos;
    /** The most bytes of records (with {@link #HEAP_OVERHEAD_PER_RECORD}) queued or being written. */
    private final SendBuffer buffer;
    /** Per partition, batches not yet taken by the sender: full ones first, the open one last. */
    private ArrayDeque<ProducerBatch>[] queues;
    /** Per partition, the size the last batch reached: the next one's buffer starts at twice that. */
    private int[] capacityHint;
    /** Per partition, the records the last batch took (under {@code lock}, as {@link #capacityHint}). */
    private int[] recordsHint;

    private int[] nextSequence;
    /**
     * Whether the topic forces every batch; then the sender's round of batches is forced at once
     * (see {@link #awaitDurable}).
     */
    private final boolean syncsEveryBatch;
    /** The sender's scratch for {@link #awaitDurable}: per partition, the end of the round's batches (0: none). */
    private long[] syncEnds;
    /** Buffers of written batches, for new batches to reuse (guarded by {@code lock}). */
    private final BatchBufferPool pool;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();

    @SuppressWarnings("unchecked")
    private CompletableFuture<Acknowledgement>[] lastFuture;

    private final Thread sender;
    private volatile boolean closed;
    /** Set when a close's time ran out: batches not yet appended fail instead. */
    private volatile boolean aborted;

    private volatile Throwable failure;
    /** Batches opened so far; the sender watches it for a moment before it parks (written under {@code lock}). */
    private volatile int batchesOpened;
    /** The partition the sender's last round of taking batches started at (each round starts one further). */
    private int lastServed;
    /** Written by the sender thread only. */
    private volatile long batchesWritten;

    private volatile long recordsWritten;

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

    @SuppressWarnings("unchecked")
    BatchSender(Settings b) throws IOException {
        this.log = b.log;
        this.topic = b.topic;
        TopicLayout layout = log.layout(topic);
        int partitions = layout.existing();
        this.placesByTopic = b.partitioner == null;
        this.partitioner = placesByTopic ? ClientAccess.placement(log, topic).partitioner() : b.partitioner;
        this.identity = b.idempotent ? ClientAccess.registerProducer(log, b.name) : null;
        this.maxRecordBytes = ClientAccess.maxBatchBytes(log, topic) - 128;
        this.batchBytes = Math.min(b.batchBytes, maxRecordBytes);
        this.lingerNanos = b.linger.toNanos();
        this.buffer = new SendBuffer(lock, b.bufferBytes, b.maxBlock, topic, () -> closed);
        this.gate = new LayoutGate(lock, layout.partitions(), b.maxBlock, topic);
        this.pool = new BatchBufferPool(partitions, b.bufferBytes, batchBytes);
        this.queues = new ArrayDeque[0];
        this.lastFuture = new CompletableFuture[0];
        this.capacityHint = new int[0];
        this.recordsHint = new int[0];
        this.nextSequence = new int[0];
        this.syncEnds = new long[0];
        cover(partitions);
        this.syncsEveryBatch = ClientAccess.syncsEveryBatch(log, topic);
        TopicLayout registered = ClientAccess.registerWriter(log, topic, writer);
        if (!registered.equals(layout)) {
            writer.resume(registered); // the count changed between the look and the registration
        }
        this.sender = new Thread(this::sendLoop, "ordo-producer-" + topic + (b.name == null ? "" : "-" + b.name));
        this.sender.setDaemon(true);
        this.sender.start();
    }

    /** Grows the per-partition state to {@code partitions} partitions (lock held, or before the sender starts). */
    private void cover(int partitions) {
        int before = queues.length;
        if (partitions <= before) {
            return;
        }
        queues = Arrays.copyOf(queues, partitions);
        for (int p = before; p < partitions; p++) {
            queues[p] = new ArrayDeque<>();
        }
        lastFuture = Arrays.copyOf(lastFuture, partitions);
        capacityHint = Arrays.copyOf(capacityHint, partitions);
        recordsHint = Arrays.copyOf(recordsHint, partitions);
        nextSequence = Arrays.copyOf(nextSequence, partitions);
        syncEnds = Arrays.copyOf(syncEnds, partitions);
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
                cover(layout.existing());
                gate.open(layout.partitions());
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
        Objects.requireNonNull(headers, "headers must not be null");
        if (closed) {
            throw new IllegalStateException("producer for topic '" + topic + "' is closed");
        }
        Throwable failed = failure;
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
        int count = gate.partitions();
        int partition = partitioner.partition(key, count);
        CompletableFuture<Acknowledgement> future = new CompletableFuture<>();
        lockSpinningFirst();
        try {
            // Placed by the count of the moment the record is queued: a change of the count waits for it.
            while (true) {
                gate.awaitOpen();
                if (count != gate.partitions()) {
                    count = gate.partitions();
                    partition = partitioner.partition(key, count);
                }
                buffer.awaitSpace(cost); // may release the lock: a change may begin meanwhile
                if (gate.isOpen() && count == gate.partitions()) {
                    break;
                }
            }
            ArrayDeque<ProducerBatch> queue = queues[partition];
            ProducerBatch open = queue.peekLast();
            if (open == null || !open.tryAdd(timestamp, key, value, headers, cost, future)) {
                // Twice what the last batch reached: a batch filling under load rarely has to grow.
                int hint = (int) Math.min(batchBytes, 2L * capacityHint[partition]);
                // Room for as many futures as the last batch of the partition took, and a margin
                // (growing the list was 4% of all allocation end to end at 1 M records/s of 100 B).
                open = new ProducerBatch(
                        partition,
                        pool.newBatch(Math.max(hint, size)),
                        Math.max(MIN_FUTURES, recordsHint[partition] + recordsHint[partition] / 2));
                open.tryAdd(timestamp, key, value, headers, cost, future);
                queue.addLast(open);
                batchesOpened++; // under the lock, so increments do not race; the sender may be watching
                // Wake the sender only when it has something new to decide: a new batch means a new
                // linger deadline or a full batch before it. Waking it per record would cut batches short.
                work.signal();
            }
            buffer.reserve(cost); // queued: from here the sender gives it back
            lastFuture[partition] = future;
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
        List<CompletableFuture<Acknowledgement>> last = new ArrayList<>();
        lock.lock();
        try {
            for (CompletableFuture<Acknowledgement> f : lastFuture) {
                if (f != null) {
                    last.add(f);
                }
            }
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
        return identity == null ? -1 : identity.id();
    }

    /** The producer's epoch, or -1 when it is not idempotent. */
    short epoch() {
        return identity == null ? -1 : identity.epoch();
    }

    /** Batches appended so far (fewer than records when batching works). */
    long batchesWritten() {
        return batchesWritten;
    }

    /** Bytes of the send buffer in use: records queued or being written, with their overhead (for tests). */
    long bufferInUse() {
        return buffer.inUse();
    }

    /** Batch buffers allocated so far rather than reused (for tests). */
    long buffersAllocated() {
        lock.lock();
        try {
            return pool.allocated();
        } finally {
            lock.unlock();
        }
    }

    /** Records appended so far. */
    long recordsWritten() {
        return recordsWritten;
    }

    /**
     * Sends everything queued and waits for it, at most {@code timeout}; what is still unsent then fails
     * with {@code abortCause}. Later sends throw {@link IllegalStateException}. Idempotent.
     */
    void close(Duration timeout) {
        lock.lock();
        try {
            closed = true;
            work.signal();
        } finally {
            lock.unlock();
        }
        try {
            sender.join(Math.max(1, timeout.toMillis()));
            if (sender.isAlive()) {
                aborted = true; // the sender fails what it takes from now on
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
                if (ready.isEmpty() && !written.isEmpty() && !syncsEveryBatch) { // (every-batch: once forced, below)
                    ClientAccess.signalAppended(log, topic); // the burst of ready batches is written: wake readers once
                }
                written.clear();
                if (ready.isEmpty()) {
                    // Nothing ready. While records come steadily, a new one is microseconds away:
                    // watching for it briefly saves the sending thread a wake-up call (a system call)
                    // per batch. When they come sparsely, parking at once costs nothing extra.
                    // Closed or not, the waiting take decides whether to stop: it takes a lingering
                    // batch at once when closed and returns nothing only when nothing is queued.
                    if (spin && !closed) {
                        int seen = batchesOpened;
                        long deadline = System.nanoTime() + SPIN_NANOS;
                        while (batchesOpened == seen && !closed && System.nanoTime() < deadline) {
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
            for (ProducerBatch batch : ready) {
                append(batch);
                written.add(batch.records.buffer()); // the log copied the bytes: reusable
            }
            if (syncsEveryBatch) {
                awaitDurable(ready);
                ClientAccess.signalAppended(log, topic); // readers of an every-batch topic see the records from now on
            }
            for (ProducerBatch batch : ready) {
                complete(batch);
            }
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
     * Takes every ready batch into {@code out} (see {@link #takeReady}) and pools the buffers of the
     * batches written last, in one turn of the lock: the sender takes the lock once per round of
     * partitions, not once per batch, so it rarely has to queue behind the sending threads.
     */
    private void take(boolean wait, List<ByteBuffer> written, List<ProducerBatch> out) throws InterruptedException {
        lockSpinningFirst();
        try {
            pool.keep(written);
            takeReady(wait, out);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until some partition has a batch ready (full, lingered long enough, or closing) and takes
     * every ready batch, each partition's in order, starting one partition further each round so that
     * none is always written first. Takes nothing once closed with nothing queued, or, unless
     * {@code wait}, when no batch is ready now.
     */
    private void takeReady(boolean wait, List<ProducerBatch> out) throws InterruptedException {
        while (true) {
            long waitNanos = Long.MAX_VALUE;
            boolean anyQueued = false;
            int first = (lastServed + 1) % queues.length;
            long now = System.nanoTime(); // one clock read per round, not per batch
            for (int i = 0; i < queues.length; i++) {
                int p = (first + i) % queues.length;
                for (ProducerBatch oldest = queues[p].peekFirst(); oldest != null; oldest = queues[p].peekFirst()) {
                    anyQueued = true;
                    long due = lingerNanos - (now - oldest.createdNanos);
                    boolean full = queues[p].size() > 1 || oldest.records.sizeInBytes() >= batchBytes;
                    if (!closed && due > 0 && !full) {
                        waitNanos = Math.min(waitNanos, due);
                        break;
                    }
                    queues[p].pollFirst();
                    capacityHint[p] = oldest.records.sizeInBytes();
                    recordsHint[p] = oldest.futures.size();
                    out.add(oldest);
                }
            }
            lastServed = first;
            if (!out.isEmpty() || (closed && !anyQueued) || !wait) {
                return;
            }
            if (waitNanos == Long.MAX_VALUE) {
                work.await();
            } else {
                work.awaitNanos(waitNanos);
            }
        }
    }

    /**
     * Appends the batch (readable then; durable too unless the topic forces every batch, see
     * {@link #awaitDurable}), recording its offsets or its error in it.
     */
    private void append(ProducerBatch batch) {
        int partition = batch.partition;
        int count = batch.records.recordCount();
        try {
            Throwable failed = failure;
            if (failed != null) {
                throw failed;
            }
            if (aborted) {
                throw new IllegalStateException("producer for topic '" + topic + "' closed before the record was sent");
            }
            long[] offsets = appendWithRetries(partition, batch.records);
            batch.base = offsets[0];
            batch.end = offsets[1];
            nextSequence[partition] += count;
            batchesWritten++; // one writing thread: no lost update
            recordsWritten += count;
        } catch (Throwable e) {
            failed(batch, e);
        }
    }

    /** The batch failed: an idempotent producer fails for good, so that no later batch overtakes it. */
    private void failed(ProducerBatch batch, Throwable error) {
        batch.error = error;
        if (failure == null && (identity != null || error instanceof ProducerFencedException)) {
            failure = error; // later batches must not overtake a lost one
            LOG.error("producer {} for topic '{}' failed; every later send fails too", producerId(), topic, error);
        }
    }

    /**
     * Forces the partitions the round's batches went to, all at once (a force each, run in parallel),
     * and fails the batches of a partition whose force failed.
     */
    private void awaitDurable(List<ProducerBatch> round) {
        for (ProducerBatch batch : round) {
            if (batch.error == null) {
                syncEnds[batch.partition] = batch.end; // a partition's batches come in order: the last ends last
            }
        }
        Throwable[] errors = ClientAccess.awaitDurable(log, topic, syncEnds);
        for (ProducerBatch batch : round) {
            if (batch.error == null && errors[batch.partition] != null) {
                failed(batch, errors[batch.partition]);
            }
        }
        Arrays.fill(syncEnds, 0);
    }

    /** Completes the batch's futures (after giving back its share of the send buffer). */
    private void complete(ProducerBatch batch) {
        buffer.release(batch.bufferBytes); // before the callbacks run: a callback that sends finds this space
        List<CompletableFuture<Acknowledgement>> futures = batch.futures;
        for (int i = 0; i < futures.size(); i++) {
            if (batch.error == null) {
                futures.get(i).complete(new Acknowledgement(topic, batch.partition, batch.base + i));
            } else {
                futures.get(i).completeExceptionally(batch.error);
            }
        }
    }

    /** Appends, retrying I/O errors when idempotent (a retry that was in fact written is recognised). */
    private long[] appendWithRetries(int partition, RecordBatch.Builder records) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return ClientAccess.appendBatchBeforeSync(
                        log, topic, partition, records, identity, nextSequence[partition]);
            } catch (IOException e) {
                if (identity == null || attempt > IO_RETRIES || e instanceof LogOfflineException) {
                    throw e; // an offline partition refuses every append until the engine is reopened
                }
                LOG.warn("append to {}-{} failed (attempt {}), retrying", topic, partition, attempt, e);
            } catch (ProducerFencedException | OutOfOrderSequenceException e) {
                throw e;
            }
        }
    }
}
