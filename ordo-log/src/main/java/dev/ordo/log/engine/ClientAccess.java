package dev.ordo.log.engine;

import dev.ordo.log.storage.PartitionLog;
import dev.ordo.log.storage.RecordBatch;
import dev.ordo.partition.Placement;
import dev.ordo.partition.TopicLayout;
import java.io.IOException;
import java.util.Set;

/**
 * The engine's calls that Ordo's own producer ({@code dev.ordo.log.producer}) and consumer
 * ({@code dev.ordo.log.consumer}) make beyond {@link EmbeddedLog}'s API: appending an idempotent
 * producer's batches and forcing them, waking readers, joining and leaving consumer groups. It exists
 * for those two packages and is not an API (as the classes of Kafka's {@code internals} packages are
 * not): it may change in any release without notice. Applications use {@link EmbeddedLog},
 * {@code OrdoProducer} and {@code OrdoConsumer}. Each method passes its call on to {@code log} or, for
 * appends and their readers, to its {@link TopicAppends}.
 */
public final class ClientAccess {

    private ClientAccess() {}

    // For the producer.

    /**
     * Registers a producer of {@code topic} that a change of the partition count pauses
     * ({@link EmbeddedLog#alterPartitions}); returns the layout to place records by until then.
     */
    public static TopicLayout registerWriter(EmbeddedLog log, String topic, TopicWriter writer) {
        return log.registerWriter(topic, writer);
    }

    /** The producer closed. */
    public static void unregisterWriter(EmbeddedLog log, String topic, TopicWriter writer) {
        log.appends().unregisterWriter(topic, writer);
    }

    /** How the topic places keys on its partitions. */
    public static Placement placement(EmbeddedLog log, String topic) {
        return log.appends().placement(topic);
    }

    /** A new producer identity: a named producer's id with a new epoch (fencing the previous one), else a new id. */
    public static ProducerRegistry.Identity registerProducer(EmbeddedLog log, String name) throws IOException {
        return log.appends().registerProducer(name);
    }

    /** The largest batch, in bytes, a partition of the topic accepts. */
    public static int maxBatchBytes(EmbeddedLog log, String topic) {
        return log.appends().maxBatchBytes(topic);
    }

    /** True if the topic's appends are durable only after a force each (then see {@link #awaitDurable}). */
    public static boolean syncsEveryBatch(EmbeddedLog log, String topic) {
        return log.appends().syncsEveryBatch(topic);
    }

    /**
     * Appends records as one batch to one partition, for a producer that may be idempotent ({@code identity}
     * null if not), without the force of an every-batch topic (see {@link #awaitDurable}). A retry of a batch
     * already written returns its first offset without writing it again.
     *
     * @return the batch's first offset and the offset after it
     * @throws dev.ordo.log.storage.ProducerFencedException if a newer epoch of the producer was opened
     */
    public static long[] appendBatchBeforeSync(
            EmbeddedLog log,
            String topic,
            int partition,
            RecordBatch.Builder batch,
            ProducerRegistry.Identity identity,
            int baseSequence)
            throws IOException {
        return log.appends().appendBatchBeforeSync(topic, partition, batch, identity, baseSequence);
    }

    /**
     * Makes each partition's offsets below {@code ends[partition]} durable, forcing the partitions at the
     * same time (partitions with end 0 are left alone); returns each partition's error, null where it is durable.
     */
    public static Throwable[] awaitDurable(EmbeddedLog log, String topic, long[] ends) {
        return log.appends().awaitDurable(topic, ends);
    }

    /** Wakes the topic's waiting readers (once per burst of appended batches). */
    public static void signalAppended(EmbeddedLog log, String topic) {
        log.appends().signalAppended(topic);
    }

    // For the consumer.

    /**
     * Adds a member to {@code group} on {@code topic} and rebalances the group.
     *
     * @param exclusive the member must be the only one (a consumer with a committed state)
     * @throws IllegalStateException if an exclusive member would share the group, or the log is closed
     */
    public static GroupCoordinator.Member joinGroup(
            EmbeddedLog log, String group, String topic, int partitions, boolean exclusive, Set<Integer> pinned)
            throws IOException {
        return log.groups().join(group, topic, partitions, exclusive, pinned);
    }

    /** A member leaves its group, also after the log closed under it (the groups live in memory). */
    public static void leaveGroup(EmbeddedLog log, GroupCoordinator.Member member) {
        log.leaveGroup(member);
    }

    /** Registers the calling thread as a reader of the topic that waits for appends. */
    public static AppendSignal.Waiter appendWaiter(EmbeddedLog log, String topic) {
        return log.appends().appendWaiter(topic);
    }

    /** The partition's log. */
    public static PartitionLog partition(EmbeddedLog log, String topic, int partition) {
        return log.partition(topic, partition);
    }
}
