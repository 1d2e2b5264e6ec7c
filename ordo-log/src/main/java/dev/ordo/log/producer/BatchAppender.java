package dev.ordo.log.producer;

import dev.ordo.engine.Acknowledgement;
import dev.ordo.log.engine.ClientAccess;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.ProducerRegistry;
import dev.ordo.log.storage.LogOfflineException;
import dev.ordo.log.storage.OutOfOrderSequenceException;
import dev.ordo.log.storage.ProducerFencedException;
import dev.ordo.log.storage.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sender thread's half of a {@link BatchSender}: appends each round of batches the sender took
 * (numbered by the producer's sequence per partition when idempotent, retrying I/O errors then), forces
 * the round's partitions together when the topic forces every batch, and completes the batches'
 * futures. An idempotent producer's first lost batch fails it for good ({@link #failure()}), so that no
 * later batch overtakes it. Used by the sender thread alone, but for the volatile fields.
 */
final class BatchAppender {

    private static final Logger LOG = LoggerFactory.getLogger(BatchAppender.class);

    private static final int IO_RETRIES = 3;

    private final EmbeddedLog log;
    private final String topic;
    /** The producer's identity, or null when it is not idempotent. */
    private final ProducerRegistry.Identity identity;
    /** Given back a batch's share once the batch is done. */
    private final SendBuffer buffer;
    /**
     * Whether the topic forced every batch at the last round; then a round of batches is forced at once
     * (see {@link #awaitDurable}). Asked after each round's appends, as the topic's policy may change
     * while the producer runs ({@code EmbeddedLog.alterTopic}).
     */
    private boolean syncsEveryBatch;

    /** Per partition, the sequence number of the partition's next record (grown when the count grows). */
    private int[] nextSequence;
    /** The scratch for {@link #awaitDurable}: per partition, the end of the round's batches (0: none). */
    private long[] syncEnds;

    private volatile Throwable failure;
    /** Set when a close's time ran out: batches not yet appended fail instead. */
    private volatile boolean aborted;

    private volatile long batchesWritten;

    private volatile long recordsWritten;

    BatchAppender(
            EmbeddedLog log, String topic, ProducerRegistry.Identity identity, SendBuffer buffer, int partitions) {
        this.log = log;
        this.topic = topic;
        this.identity = identity;
        this.buffer = buffer;
        this.nextSequence = new int[partitions];
        this.syncEnds = new long[partitions];
    }

    /** Why the producer failed for good, or null: every later send fails with it. */
    Throwable failure() {
        return failure;
    }

    /** Fails the batches not yet appended from now on (a close's time ran out). */
    void abort() {
        aborted = true;
    }

    /** The producer's id, or -1 when it is not idempotent. */
    long producerId() {
        return identity == null ? -1 : identity.id();
    }

    /** The producer's epoch, or -1 when it is not idempotent. */
    short epoch() {
        return identity == null ? -1 : identity.epoch();
    }

    /** Batches appended so far. */
    long batchesWritten() {
        return batchesWritten;
    }

    /** Records appended so far. */
    long recordsWritten() {
        return recordsWritten;
    }

    /**
     * Appends the round's batches (readable then), adding their buffers to {@code written} (the log copied
     * the bytes: reusable); when the topic forces every batch, forces their partitions and wakes the
     * topic's readers; then completes their futures.
     */
    void write(List<ProducerBatch> round, List<ByteBuffer> written) {
        for (ProducerBatch batch : round) {
            append(batch);
            written.add(batch.records.buffer());
        }
        // After the appends: a policy that changed before them is seen, one changing after forced them.
        syncsEveryBatch = ClientAccess.syncsEveryBatch(log, topic);
        if (syncsEveryBatch) {
            awaitDurable(round);
            ClientAccess.signalAppended(log, topic); // readers of an every-batch topic see the records from now on
        }
        for (ProducerBatch batch : round) {
            complete(batch);
        }
    }

    /**
     * The burst of ready batches is written: wakes the topic's readers once (those of a topic that forces
     * every batch were woken once the batches were forced, in {@link #write}).
     */
    void burstWritten() {
        if (!syncsEveryBatch) {
            ClientAccess.signalAppended(log, topic);
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
            cover(partition);
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

    /**
     * Grows the per-partition state to cover {@code partition}, a partition the topic's count added after
     * the producer opened (on the sender thread, which alone uses that state).
     */
    private void cover(int partition) {
        if (partition >= nextSequence.length) {
            nextSequence = Arrays.copyOf(nextSequence, partition + 1);
            syncEnds = Arrays.copyOf(syncEnds, partition + 1);
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
        SendFuture next = batch.first;
        batch.first = null;
        for (int i = 0; next != null; i++) {
            SendFuture future = next;
            next = future.next;
            future.next = null; // a future the application keeps holds on to no other
            if (batch.error == null) {
                future.complete(new Acknowledgement(topic, batch.partition, batch.base + i));
            } else {
                future.completeExceptionally(batch.error);
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
