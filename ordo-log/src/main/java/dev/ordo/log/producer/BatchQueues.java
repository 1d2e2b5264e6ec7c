package dev.ordo.log.producer;

import dev.ordo.engine.Acknowledgement;
import dev.ordo.engine.Header;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The batches of a {@link BatchSender}'s partitions on their way from the sending threads to the sender
 * thread: per partition a queue, full batches first and the open one, which sends encode their records
 * into, last. The sender thread takes the ready ones a round of partitions at a time. No lock of its
 * own: guarded by the sender's lock, like the {@link BatchBufferPool} new batches take their buffers from.
 */
final class BatchQueues {

    private final int batchBytes;
    private final long lingerNanos;
    /** Whether the producer is closed (then every queued batch is ready at once). */
    private final BooleanSupplier closed;
    /** Signalled when the sender has something new to decide: a batch opened, or the producer closing. */
    private final Condition work;
    /** Buffers of written batches, for new batches to reuse. */
    private final BatchBufferPool pool;

    /** Per partition, batches not yet taken by the sender: full ones first, the open one last. */
    private ArrayDeque<ProducerBatch>[] queues;
    /** Per partition, the size the last batch reached: the next one's buffer starts at twice that. */
    private int[] capacityHint;
    /** Per partition, the future of the last record queued (null: none yet). */
    private CompletableFuture<Acknowledgement>[] lastFuture;

    /** Batches opened so far; the sender watches it for a moment before it parks (written under the lock). */
    private volatile int batchesOpened;
    /** The partition the sender's last round of taking batches started at (each round starts one further). */
    private int lastServed;

    /**
     * @param lock the sender's lock, under which every method but {@link #batchesOpened} is called
     * @param closed whether the producer is closed
     */
    @SuppressWarnings("unchecked")
    BatchQueues(
            ReentrantLock lock,
            int partitions,
            int batchBytes,
            long lingerNanos,
            long bufferBytes,
            BooleanSupplier closed) {
        this.batchBytes = batchBytes;
        this.lingerNanos = lingerNanos;
        this.closed = closed;
        this.work = lock.newCondition();
        this.pool = new BatchBufferPool(partitions, bufferBytes, batchBytes);
        this.queues = new ArrayDeque[0];
        this.lastFuture = new CompletableFuture[0];
        this.capacityHint = new int[0];
        cover(partitions);
    }

    /** Grows the per-partition state to {@code partitions} partitions (lock held, or before the sender starts). */
    void cover(int partitions) {
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
    }

    /**
     * Encodes the record into the partition's open batch, or into a new one if there is none or it is
     * full (lock held); {@code size} is the record's size ({@link ProducerBatch#sizeOf}), {@code cost}
     * what it holds of the send buffer.
     */
    void add(
            int partition,
            long timestamp,
            byte[] key,
            byte[] value,
            List<Header> headers,
            int size,
            long cost,
            SendFuture future) {
        ArrayDeque<ProducerBatch> queue = queues[partition];
        ProducerBatch open = queue.peekLast();
        if (open == null || !open.tryAdd(timestamp, key, value, headers, cost, future)) {
            // Twice what the last batch reached: a batch filling under load rarely has to grow.
            int hint = (int) Math.min(batchBytes, 2L * capacityHint[partition]);
            open = new ProducerBatch(partition, pool.newBatch(Math.max(hint, size)));
            open.tryAdd(timestamp, key, value, headers, cost, future);
            queue.addLast(open);
            batchesOpened++; // under the lock, so increments do not race; the sender may be watching
            // Wake the sender only when it has something new to decide: a new batch means a new
            // linger deadline or a full batch before it. Waking it per record would cut batches short.
            work.signal();
        }
        lastFuture[partition] = future;
    }

    /** The future of the last record queued to each partition that had one (lock held). */
    List<CompletableFuture<Acknowledgement>> lastFutures() {
        List<CompletableFuture<Acknowledgement>> last = new ArrayList<>();
        for (CompletableFuture<Acknowledgement> f : lastFuture) {
            if (f != null) {
                last.add(f);
            }
        }
        return last;
    }

    /** Batches opened so far (read without the lock, by the sender watching for a new one). */
    int batchesOpened() {
        return batchesOpened;
    }

    /** Wakes the sender waiting in {@link #takeReady}: the producer closes (lock held). */
    void wakeSender() {
        work.signal();
    }

    /** Keeps the buffers of written batches for new ones, as many as the pool's bounds allow (lock held). */
    void keep(List<ByteBuffer> written) {
        pool.keep(written);
    }

    /** Batch buffers allocated so far rather than reused (lock held). */
    long buffersAllocated() {
        return pool.allocated();
    }

    /**
     * Waits until some partition has a batch ready (full, lingered long enough, or closing) and takes
     * every ready batch, each partition's in order, starting one partition further each round so that
     * none is always written first. Takes nothing once closed with nothing queued, or, unless
     * {@code wait}, when no batch is ready now. Lock held (released while waiting).
     */
    void takeReady(boolean wait, List<ProducerBatch> out) throws InterruptedException {
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
                    if (!closed.getAsBoolean() && due > 0 && !full) {
                        waitNanos = Math.min(waitNanos, due);
                        break;
                    }
                    queues[p].pollFirst();
                    capacityHint[p] = oldest.records.sizeInBytes();
                    out.add(oldest);
                }
            }
            lastServed = first;
            if (!out.isEmpty() || (closed.getAsBoolean() && !anyQueued) || !wait) {
                return;
            }
            if (waitNanos == Long.MAX_VALUE) {
                work.await();
            } else {
                work.awaitNanos(waitNanos);
            }
        }
    }
}
