package dev.ordo.log.engine;

import dev.ordo.engine.Acknowledgement;
import dev.ordo.engine.Header;
import dev.ordo.log.storage.LogFlusher;
import dev.ordo.log.storage.PartitionLog;
import dev.ordo.log.storage.Record;
import dev.ordo.log.storage.RecordBatch;
import dev.ordo.partition.Placement;
import dev.ordo.partition.TopicLayout;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.locks.ReadWriteLock;

/**
 * The way of a record into an {@link EmbeddedLog}'s topics: placed by its key and appended
 * ({@link EmbeddedLog#append}), or appended in a batch of Ordo's producer (see {@link ClientAccess}), which
 * registers itself first (as a {@link TopicWriter} a change of the partition count pauses, and, if it is
 * idempotent, with an identity of the {@link ProducerRegistry}) and then makes its batches durable, the
 * partitions of a round forced together; and the readers waiting for appends woken. A sealed topic takes
 * no more records ({@link TopicSeals}).
 *
 * <p>Locking: nothing here takes the engine's monitor; {@link #registerWriter} is called holding it. A
 * direct append holds its topic's {@link Topic#changing()} lock for reading, so that the partition count
 * does not change between placing and appending (a change holds it for writing); a producer's batch needs
 * none, as a change pauses the producer first. Each partition's appends are serialized by its
 * {@link PartitionLog}.
 */
final class TopicAppends {

    private final Topics topics;
    private final TopicSeals seals;
    private final ProducerRegistry producers;
    /** Forces a producer's partitions alongside its thread (see {@link ParallelForce}). */
    private final LogFlusher flusher;

    TopicAppends(Topics topics, TopicSeals seals, ProducerRegistry producers, LogFlusher flusher) {
        this.topics = topics;
        this.seals = seals;
        this.producers = producers;
        this.flusher = flusher;
    }

    /** Appends one record with headers to the partition its key maps to (see {@link EmbeddedLog#append}). */
    Acknowledgement append(String topicName, byte[] key, byte[] value, List<Header> headers) throws IOException {
        ReadWriteLock changing = topics.get(topicName).changing();
        changing.readLock().lock(); // the partition count does not change between placing and appending
        try {
            seals.requireOpen(topicName);
            Topic topic = topics.get(topicName);
            int partition = topic.partitioner().partition(key, topic.layout().partitions());
            long offset = topic.partitions()
                    .get(partition)
                    .append(
                            List.of(new Record(-1, System.currentTimeMillis(), key, value, headers)),
                            RecordBatch.Producer.NONE);
            topic.appended().signal();
            return new Acknowledgement(topicName, partition, offset);
        } finally {
            changing.readLock().unlock();
        }
    }

    /**
     * Registers a producer of the topic, which a change of the partition count pauses; returns the layout
     * it places by until it is told another ({@link TopicWriter#resume}). The caller holds the engine's
     * monitor (see {@link EmbeddedLog#registerWriter}).
     */
    TopicLayout registerWriter(String name, TopicWriter writer) {
        Topic topic = topics.get(name);
        topic.writers().add(writer);
        return topic.layout();
    }

    /** A producer of the topic closed. */
    void unregisterWriter(String name, TopicWriter writer) {
        Topic topic = topics.find(name);
        if (topic != null) {
            topic.writers().remove(writer);
        }
    }

    /** A new producer identity (see {@link ProducerRegistry#register}). */
    ProducerRegistry.Identity registerProducer(String name) throws IOException {
        topics.requireOpen();
        return producers.register(name);
    }

    /** How the topic places keys on its partitions. */
    Placement placement(String name) {
        return topics.get(name).spec().placement();
    }

    /** The largest batch, in bytes, a partition of the topic accepts. */
    int maxBatchBytes(String topicName) {
        return topics.get(topicName).spec().log().maxBatchBytes();
    }

    /**
     * Appends records as one batch to one partition, for a producer that may be idempotent ({@code identity}
     * null if not; the path {@link dev.ordo.log.producer.OrdoProducer} takes), without the force of
     * {@link dev.ordo.log.storage.FsyncPolicy#everyBatch()}: see {@link #awaitDurable}. A retry of a batch
     * already written returns its first offset without writing it again.
     *
     * @return the batch's first offset and the offset after it
     * @throws dev.ordo.log.storage.ProducerFencedException if a newer epoch of the producer was opened
     */
    long[] appendBatchBeforeSync(
            String topicName,
            int partition,
            RecordBatch.Builder batch,
            ProducerRegistry.Identity identity,
            int baseSequence)
            throws IOException {
        PartitionLog log = topics.partition(topicName, partition);
        seals.requireOpen(topicName); // after the producer's pause at a seal: its records are all appended
        if (identity == null) {
            return log.appendBeforeSync(batch, RecordBatch.Producer.NONE);
        }
        producers.checkCurrent(identity);
        return log.appendBeforeSync(batch, new RecordBatch.Producer(identity.id(), identity.epoch(), baseSequence));
    }

    /**
     * True if an append to the topic is durable only after its force
     * ({@link dev.ordo.log.storage.FsyncPolicy#everyBatch()}). Asked after appending: while
     * {@link EmbeddedLog#alterTopic} changes the policy, one partition forcing every batch is enough.
     */
    boolean syncsEveryBatch(String topicName) {
        Topic topic = topics.find(topicName);
        if (topic == null) {
            return false; // closed or deleted meanwhile: the appends failed, there is nothing to force
        }
        for (PartitionLog log : topic.partitions()) {
            if (log.syncsEveryBatch()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Makes each partition's offsets below {@code ends[partition]} durable (partitions with end 0 are
     * left alone), forcing the partitions at the same time (see {@link ParallelForce}). Returns each
     * partition's error, null where it is durable.
     */
    Throwable[] awaitDurable(String topicName, long[] ends) {
        return ParallelForce.awaitDurable(flusher, p -> topics.partition(topicName, p), ends);
    }

    /**
     * Wakes the topic's waiting readers: {@link #appendBatchBeforeSync} does not (a producer appending a
     * burst of batches signals once after the burst).
     */
    void signalAppended(String topicName) {
        Topic topic = topics.find(topicName);
        if (topic != null) { // closed or deleted meanwhile: nobody to wake
            topic.appended().signal();
        }
    }

    /** Registers the calling thread as a reader of the topic that waits for appends. */
    AppendSignal.Waiter appendWaiter(String topicName) {
        return topics.get(topicName).appended().register();
    }
}
