package dev.ordo.log.engine;

import dev.ordo.engine.Acknowledgement;
import dev.ordo.engine.Header;
import dev.ordo.log.storage.BackgroundDeleter;
import dev.ordo.log.storage.CorruptLogException;
import dev.ordo.log.storage.DataDirectory;
import dev.ordo.log.storage.LogFlusher;
import dev.ordo.log.storage.PartitionCheck;
import dev.ordo.log.storage.PartitionLog;
import dev.ordo.log.storage.Record;
import dev.ordo.log.storage.SegmentDamage;
import dev.ordo.partition.HotKeys;
import dev.ordo.partition.TopicLayout;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The embedded engine's topics: create, list, describe and delete topics of partitioned logs in
 * one data directory, append keyed records (partitioned exactly as Kafka's default partitioner
 * does) and read them back. Topic definitions live in {@code <data>/<topic>.topic} (JSON, written
 * atomically); partitions in {@code <data>/<topic>-<n>/}.
 *
 * <pre>{@code
 * try (EmbeddedLog ordo = EmbeddedLog.open(Path.of("data"))) {
 *     ordo.createTopic("ledger", TopicSpec.partitions(8));
 *     Acknowledgement ack = ordo.append("ledger", key, value);
 * }
 * }</pre>
 *
 * Thread-safe. Creating and deleting topics take the engine's monitor; appends, reads and offset
 * lookups find their partition without it (the topic map is concurrent), so producers and
 * consumers of different partitions never queue behind each other here.
 */
public final class EmbeddedLog implements AutoCloseable, MeterBinder {

    private final DataDirectory data;
    /** Forces this engine's partitions in the background; started and stopped with it. */
    private final LogFlusher flusher = LogFlusher.start();
    /** Deletes removed segments and deleted topics in the background; started and stopped with it. */
    private final BackgroundDeleter deleter = BackgroundDeleter.start();
    /** Opens this engine's partition directories and deletes those no topic claims. */
    private final PartitionDirectories directories;

    /** Changed under the monitor, found without it (see {@link Topics}). */
    private final Topics topics;

    private GroupCoordinator groups;
    private TopicSeals seals;
    /** Direct appends and Ordo's producer's (see {@link ClientAccess}); made once the seals are loaded. */
    private TopicAppends appends;
    /** The administration of the consumer groups' offsets; made with the groups. */
    private GroupAdmin groupAdmin;
    /** The meters of every registry bound with {@link #bindTo} (monitor). */
    private final LogMeters meters;

    /** Measures every topic's load each second and scales the auto-scaled ones. */
    private final LoadWatch load;

    /** Set by {@link #close()}, once; every call after it fails (see {@link #requireOpen()}). */
    private volatile boolean closed;

    /** Told each step of a change of a partition count (a crash test stops the engine at one). */
    private volatile Consumer<PartitionCountChange.Step> changeSteps = step -> {};

    private EmbeddedLog(DataDirectory data, boolean watchLoad) {
        this.data = data;
        this.directories = new PartitionDirectories(data, flusher, deleter);
        this.topics = new Topics(data.root(), directories, this::requireOpen);
        this.load = new LoadWatch(
                topics::byName,
                this::alterPartitions,
                (topic, rates) -> groups.rebalanceIfSkewed(topic, rates),
                this::deleteDrainedRetired,
                watchLoad);
        this.meters = new LogMeters(load::recordsPerSecond, load::bytesPerSecond);
    }

    /** The load watch (tests tick it themselves, see {@link #open(Path, boolean)}). */
    LoadWatch loadWatch() {
        return load;
    }

    /** Tells {@code steps} each step of every later change of a partition count, on the changing thread. */
    void onChangeSteps(Consumer<PartitionCountChange.Step> steps) {
        this.changeSteps = steps;
    }

    /** The deleter of this engine's removed segments and deleted topics (tests hold it). */
    BackgroundDeleter deleter() {
        return deleter;
    }

    /**
     * Opens (creating if needed) the data directory, locks it and opens every topic in it. A thread of
     * the engine measures each topic's load every second ({@code ordo.log.partition.records.rate}) and
     * changes the partition count of topics made with {@link TopicSpec#autoScale}.
     */
    public static EmbeddedLog open(Path root) throws IOException {
        return open(root, true);
    }

    /** {@link #open(Path)}; without {@code watchLoad}, the load is measured only when a test ticks it. */
    static EmbeddedLog open(Path root, boolean watchLoad) throws IOException {
        EmbeddedLog log = new EmbeddedLog(DataDirectory.open(root), watchLoad);
        try {
            ProducerRegistry producers = ProducerRegistry.load(root);
            log.groups =
                    new GroupCoordinator(root, log.load::recordsPerSecond, KeyAffinity.placedBy(log.topics.byName()));
            log.groupAdmin = new GroupAdmin(root, log.topics, log.groups);
            List<String> names = log.topics.openAll();
            log.seals = TopicSeals.load(root, names);
            log.appends = new TopicAppends(log.topics, log.seals, producers, log.flusher);
            log.load.start(); // last: its thread calls back into the groups and topics set above
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
        return log;
    }

    /**
     * Reads every record batch of every partition of {@code topic} in the data directory {@code root}
     * and returns the damage found (the first damaged batch of each segment, with the offsets a repair
     * loses), changing nothing. Opening a topic trusts the part of a sealed segment its index covers,
     * so such damage otherwise shows only when it is read ({@link CorruptLogException}). Offline: the
     * data directory is locked meanwhile and must not be open; it works on a topic whose damage keeps
     * the engine from opening, too.
     *
     * @throws IllegalArgumentException if {@code root} is no directory or the topic does not exist
     * @throws IllegalStateException if the data directory is open
     */
    public static List<SegmentDamage> checkTopic(Path root, String topic) throws IOException {
        return TopicCheck.eachPartition(root, topic, PartitionCheck::find);
    }

    /**
     * Cuts every damaged segment of {@code topic} (offline, as {@link #checkTopic}) at its first damaged
     * batch, as {@link dev.ordo.log.storage.CorruptionPolicy#SKIP} does on open, and keeps every other
     * segment; returns the damage cut, each with the offsets it lost. Readers then skip those offsets;
     * nothing is left for the next open to cut.
     */
    public static List<SegmentDamage> repairTopic(Path root, String topic) throws IOException {
        return TopicCheck.eachPartition(root, topic, PartitionCheck::repair);
    }

    /**
     * Creates a topic.
     *
     * @throws IllegalArgumentException if the name is invalid or the topic exists
     */
    public synchronized void createTopic(String name, TopicSpec spec) throws IOException {
        requireOpen();
        DataDirectory.requireValidTopic(name);
        Objects.requireNonNull(spec, "spec must not be null");
        meters.created(name, topics.create(name, spec));
    }

    /**
     * Changes a topic's partition count online, with its producers and consumer groups running, keeping
     * each key's order: a key's records in the partition the new count places it in are handed to a
     * handler only after all its records in the partition it left (see {@link TopicLayout}). Shrinking
     * retires the highest numbered partitions: they receive nothing more and drain, and their records are
     * deleted once every group has read them ({@link #deleteDrainedRetired}); growing again continues their
     * offsets.
     *
     * <p>The change pauses the topic's producers (their sends wait), waits until what they placed by the
     * old count is appended, forces every partition, and records the new layout in the topic's
     * description in one atomic write: a crash at any point leaves the old layout or the new one. The
     * pause lasts about one append and one force of every partition.
     *
     * @return the topic's layout history, the new layout last
     * @throws IllegalArgumentException if the count is the current one or outside [1, 10000]
     * @throws IllegalStateException if a producer of the topic places keys by a partitioner of its own
     *     (its keys' order across the change could not be kept), or did not append what it placed
     *     within 30 s; the topic is unchanged
     */
    public synchronized TopicLayout alterPartitions(String name, int partitions) throws IOException {
        requireOpen();
        return new PartitionCountChange(this, directories, name, topics.get(name), changeSteps).to(partitions);
    }

    /**
     * Changes a running topic's fsync policy, retention and segment size, with its producers and consumers
     * going on; stored in the topic's description (atomically), so a restart keeps it. A new fsync policy
     * forces what was written before it, and applies to every append from its return on: no acknowledged
     * record is lost by a weaker one. A new segment size applies from each partition's next roll; a new
     * retention at once (a retention pass runs) and at each roll.
     *
     * @return the topic's settings after the change
     * @throws IllegalArgumentException if the topic does not exist or a value is out of range (naming it);
     *     the topic is unchanged
     */
    public synchronized TopicSpec alterTopic(String name, TopicChange change) throws IOException {
        requireOpen();
        Objects.requireNonNull(change, "change must not be null");
        TopicConfigChange.apply(data.root(), name, topics.get(name), change, changed -> topics.replace(name, changed));
        return topics.get(name).spec();
    }

    /**
     * Deletes the records of the topic's retired partitions that every consumer group of the topic has read
     * past, keeping their offsets, and returns those partitions (see {@link RetiredPartitionCleaner}). The
     * engine does it itself every {@value LoadWatch#RETIRED_LOOK_SECONDS} s.
     */
    public synchronized List<Integer> deleteDrainedRetired(String name) throws IOException {
        requireOpen();
        return RetiredPartitionCleaner.deleteDrained(name, topics.get(name), data.root(), groups);
    }

    /**
     * Closes the topic to appends for good, for a move to another engine: pauses its producers, waits until
     * what they placed is appended, forces every partition and records the seal durably (it survives a
     * restart); every later append fails with {@link TopicSealedException} naming {@code reason}. Readers
     * and consumer groups go on reading to the end, which no longer moves. Sealing a sealed topic does
     * nothing.
     *
     * @return each partition's end offset, final from here on
     * @throws IllegalStateException if a producer did not append what it placed within 30 s; the topic
     *     is left open
     */
    public synchronized long[] seal(String name, String reason) throws IOException {
        requireOpen();
        Objects.requireNonNull(reason, "reason must not be null");
        return new TopicSeal(topics.get(name), name).sealOnce(seals, reason);
    }

    /**
     * The committed offsets (next offset per partition) of every consumer group of the topic whose offsets
     * the engine keeps: those with members now and those with an offsets file naming the topic. Groups
     * that commit with an application state ({@code CommittedState}) are left out: their offsets are in
     * that state.
     */
    public synchronized Map<String, Map<Integer, Long>> committedOffsets(String name) throws IOException {
        return groupAdmin.committedOffsets(name);
    }

    /**
     * Sets the committed offsets (next offset per partition given) of consumer group {@code group} on the
     * topic, as Kafka's {@code Admin.alterConsumerGroupOffsets} does: the group's next member starts there. A
     * migration moving a group to this engine does so.
     *
     * @throws IllegalStateException if the group has a member now
     * @throws IllegalArgumentException if an offset is negative or a partition is not the topic's
     */
    public synchronized void alterGroupOffsets(String name, String group, Map<Integer, Long> offsets)
            throws IOException {
        groupAdmin.alterOffsets(name, group, offsets);
    }

    /**
     * The members of {@code topic}'s consumer groups in this process, per group: each member's id and the
     * partitions it owns now. Groups without members now are left out.
     */
    public Map<String, Map<Long, Set<Integer>>> groupMembers(String name) {
        return groupAdmin.members(name);
    }

    /** Why the topic takes no more records ({@link #seal}), if it does not. */
    public Optional<String> sealed(String name) {
        topics.get(name);
        return seals.reason(name);
    }

    /**
     * Puts the topic a change of its partition count made (with {@code before} partitions until then) in
     * place of the old one: from here appends and consumer groups see its new partitions (monitor held).
     */
    void topicChanged(String name, Topic changed, int before) {
        topics.replace(name, changed);
        meters.grown(name, changed.partitions(), before);
        groups.partitionsChanged(name, changed.layout().existing());
    }

    /** The layouts the topic has had, the current one last. */
    public TopicLayout layout(String name) {
        return topics.get(name).layout();
    }

    /**
     * Registers the engine's meters in {@code registry}, per partition (tags {@code topic},
     * {@code partition}), like Kafka's log metrics: {@code ordo.log.end.offset} (the offset after the
     * last record readers can read), {@code ordo.log.start.offset}, {@code ordo.log.size} (bytes of
     * its segments), {@code ordo.log.segments} and {@code ordo.log.offline} (1 once a failed force took
     * the partition offline, see {@link dev.ordo.log.storage.LogOfflineException}). Topics created later
     * get theirs too; a deleted topic's meters are removed, and all of them when the engine closes.
     */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        requireOpen();
        Objects.requireNonNull(registry, "registry must not be null");
        meters.bind(registry, topics.partitionsByName());
    }

    /** The topics, by name. */
    public List<String> listTopics() {
        requireOpen();
        return topics.names();
    }

    /**
     * The topic as it is now: its partitions' offsets, placement, partition layouts, configuration, and
     * the load last measured (records and bytes a second per partition, a hot key if one carries more
     * than an auto-scaled topic's target per partition). What {@code ordo topics describe} prints.
     *
     * @throws IllegalArgumentException if there is no topic {@code name} (naming those there are)
     */
    public TopicDescription describe(String name) {
        return topics.get(name)
                .describe(
                        name,
                        load.recordsPerSecond(name),
                        load.bytesPerSecond(name),
                        load.hotKey(name).map(HotKeys.Hot::key));
    }

    /**
     * Deletes a topic and its data. The topic is gone on return (a topic of the same name may be
     * created at once); its partition directories are renamed {@code <topic>-<p>.<id>.deleted} and
     * deleted in the background, as Kafka does: freeing the blocks of large segments takes hundreds
     * of milliseconds per GiB, and {@link #close()} waits for it. A deletion cut short by a crash is
     * finished by the next open.
     */
    public synchronized void deleteTopic(String name) throws IOException {
        Topic topic = topics.get(name);
        meters.deleted(name);
        topics.remove(name, topic); // the topic no longer exists, also after a crash
        seals.deleted(name);
        topics.deleteLater(name, topic);
    }

    /** Appends one record to the partition its key maps to (round-robin for a null key). */
    public Acknowledgement append(String topicName, byte[] key, byte[] value) throws IOException {
        return append(topicName, key, value, List.of());
    }

    /** Appends one record with headers to the partition its key maps to. */
    public Acknowledgement append(String topicName, byte[] key, byte[] value, List<Header> headers) throws IOException {
        return appends.append(topicName, key, value, headers);
    }

    /** The way of records into this engine's topics (package-private: for {@link ClientAccess}). */
    TopicAppends appends() {
        return appends;
    }

    /** The consumer groups of this engine. */
    GroupCoordinator groups() {
        requireOpen();
        return groups;
    }

    /** A member leaves its group, also after the log closed under it (the groups live in memory). */
    void leaveGroup(GroupCoordinator.Member member) {
        groups.leave(member);
    }

    /** The data directory. */
    public Path root() {
        return data.root();
    }

    /** Reads records of one partition from {@code fromOffset} on, about {@code maxBytes} of them. */
    public List<Record> read(String topicName, int partition, long fromOffset, int maxBytes) throws IOException {
        return partition(topicName, partition).read(fromOffset, maxBytes);
    }

    /** The partition's log (package-private: for the engine's classes and tests, and {@link ClientAccess}). */
    PartitionLog partition(String topicName, int partition) {
        return topics.partition(topicName, partition);
    }

    /**
     * The offset of a partition's first record at or after {@code timestamp} (ms since the epoch),
     * or its end offset if all are older; see {@link PartitionLog#offsetForTime}.
     */
    public long offsetForTime(String topicName, int partition, long timestamp) throws IOException {
        return partition(topicName, partition).offsetForTime(timestamp);
    }

    /** The first offset still in a partition (retention moves it up). */
    public long startOffset(String topicName, int partition) {
        return partition(topicName, partition).startOffset();
    }

    /**
     * The offset after the last record of a partition a reader can read: the offset the next record
     * appended gets, or, on a topic that forces every batch, the offset after the last record forced
     * (readers see only what a power loss cannot take back, as Kafka's consumers read up to the high
     * watermark). Cheap (no lock, no I/O), for a reader to see whether anything new arrived.
     */
    public long endOffset(String topicName, int partition) {
        return partition(topicName, partition).readableEnd();
    }

    /**
     * Why a partition is offline, if it is: a force of its files failed, and every append and read of
     * it fails from then on with {@link dev.ordo.log.storage.LogOfflineException} until the engine is
     * reopened (see there). For health checks.
     */
    public Optional<IOException> offlineCause(String topicName, int partition) {
        return partition(topicName, partition).offlineCause();
    }

    /**
     * The number of partitions of a topic: those records are placed on and those retired by a shrink
     * ({@link #alterPartitions}), which may still hold records. Readers read partitions 0 to this.
     */
    public int partitionCount(String name) {
        return topics.get(name).partitions().size();
    }

    /**
     * Registers a producer of the topic (see {@link TopicAppends#registerWriter}) under the monitor, so that
     * no change of the partition count runs between adding it and reading the layout it places by.
     */
    synchronized TopicLayout registerWriter(String name, TopicWriter writer) {
        return appends.registerWriter(name, writer);
    }

    /**
     * Closes every partition (forcing what they hold, per their fsync policy), waits for the background
     * deletions of deleted topics and releases the data directory. Idempotent; every other call on a
     * closed log throws {@link IllegalStateException}.
     */
    @Override
    public void close() throws IOException {
        load.close(); // first, outside the monitor: a tick may be changing a topic's count, which takes it
        closeTopics();
    }

    private synchronized void closeTopics() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            meters.removeAll();
            topics.closeAll();
        } finally {
            flusher.close();
            deleter.close(); // a deleted topic's data is gone once its deleter closes the engine (`topics delete`)
            data.close();
        }
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return closed;
    }

    /** Throws {@link IllegalStateException} once the log is closed. */
    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the log at " + data.root() + " is closed");
        }
    }
}
