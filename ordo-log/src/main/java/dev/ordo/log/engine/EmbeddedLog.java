package dev.ordo.log.engine;

import dev.ordo.OrdoInterruptedException;
import dev.ordo.engine.Acknowledgement;
import dev.ordo.engine.Header;
import dev.ordo.log.storage.BackgroundDeleter;
import dev.ordo.log.storage.CorruptLogException;
import dev.ordo.log.storage.DataDirectory;
import dev.ordo.log.storage.Directories;
import dev.ordo.log.storage.LogFlusher;
import dev.ordo.log.storage.PartitionCheck;
import dev.ordo.log.storage.PartitionLog;
import dev.ordo.log.storage.Record;
import dev.ordo.log.storage.RecordBatch;
import dev.ordo.log.storage.SegmentDamage;
import dev.ordo.partition.Partitioner;
import dev.ordo.partition.Placement;
import dev.ordo.partition.TopicLayout;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedLog.class);

    private final DataDirectory data;
    /** Forces this engine's partitions in the background; started and stopped with it. */
    private final LogFlusher flusher = LogFlusher.start();
    /** Deletes removed segments and deleted topics in the background; started and stopped with it. */
    private final BackgroundDeleter deleter = BackgroundDeleter.start();

    /** Sorted for {@link #listTopics()}; changed under the monitor, read without it. */
    private final Map<String, Topic> topics = new ConcurrentSkipListMap<>();

    private ProducerRegistry producers;
    private GroupCoordinator groups;
    /** The meters of every registry bound with {@link #bindTo} (monitor). */
    private final LogMeters meters = new LogMeters();

    /** The suffix of a deleted topic's partition directory waiting for its background deletion. */
    private static final String DELETED_SUFFIX = ".deleted";

    private static final Pattern DELETED_PARTITION =
            Pattern.compile(".+-\\d+\\.[0-9a-f]{32}" + Pattern.quote(DELETED_SUFFIX));

    /** Set by {@link #close()}, once; every call after it fails (see {@link #requireOpen()}). */
    private volatile boolean closed;

    /** How long a change of a topic's partition count waits for its producers to append what they placed. */
    private static final long ALTER_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    /**
     * A topic as it is now. A change of its partition count replaces it, keeping its signal, producers
     * and lock; {@code changing} is held for writing while the count changes and for reading by
     * {@link #append}, which places records itself.
     */
    private record Topic(
            TopicSpec spec,
            List<PartitionLog> partitions,
            AppendSignal appended,
            TopicLayout layout,
            Partitioner partitioner,
            Set<TopicWriter> writers,
            ReadWriteLock changing) {

        static Topic opened(TopicSpec spec, List<PartitionLog> partitions, TopicLayout layout) {
            return new Topic(
                    spec,
                    partitions,
                    new AppendSignal(),
                    layout,
                    spec.placement().partitioner(),
                    new CopyOnWriteArraySet<>(),
                    new ReentrantReadWriteLock());
        }

        Topic changed(TopicSpec spec, List<PartitionLog> partitions, TopicLayout layout) {
            return new Topic(spec, partitions, appended, layout, partitioner, writers, changing);
        }
    }

    private EmbeddedLog(DataDirectory data) {
        this.data = data;
    }

    /** The deleter of this engine's removed segments and deleted topics (tests hold it). */
    BackgroundDeleter deleter() {
        return deleter;
    }

    /** Opens (creating if needed) the data directory, locks it and opens every topic in it. */
    public static EmbeddedLog open(Path root) throws IOException {
        EmbeddedLog log = new EmbeddedLog(DataDirectory.open(root));
        try {
            log.producers = ProducerRegistry.load(root);
            log.groups = new GroupCoordinator(root);
            log.deleteLeftDeletions();
            for (String name : TopicFile.names(root)) {
                log.openTopic(name, TopicFile.read(root, name));
            }
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
        if (topics.containsKey(name)) {
            throw new IllegalArgumentException("topic '" + name + "' already exists");
        }
        deleteLeftPartitions(name);
        TopicLayout layout = TopicLayout.initial(spec.partitions());
        List<PartitionLog> partitions = openPartitions(name, spec, 0, spec.partitions());
        try {
            TopicFile.write(data.root(), name, spec, layout); // the topic exists from here on, also after a restart
        } catch (IOException | RuntimeException e) {
            // A full disk, say: no topic, rather than one that vanishes at the next open with its records.
            closeAll(partitions, e);
            deleteLeftPartitions(name);
            throw e;
        }
        topics.put(name, Topic.opened(spec, partitions, layout));
        meters.created(name, partitions);
    }

    /**
     * Changes a topic's partition count online, with its producers and consumer groups running, keeping
     * each key's order: a key's records in the partition the new count places it in are handed to a
     * handler only after all its records in the partition it left (see {@link TopicLayout}). Shrinking
     * retires the highest numbered partitions: they receive nothing more and drain; growing again
     * continues their offsets.
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
        Topic topic = topic(name);
        topic.layout().requireChange(partitions);
        if (topic.writers().stream().anyMatch(w -> !w.placesByTopic())) {
            throw new IllegalStateException("a producer of topic '" + name + "' places keys by a partitioner of its"
                    + " own; close it before changing the partition count (keys' order could not be kept)");
        }
        long deadline = System.nanoTime() + ALTER_TIMEOUT_NANOS;
        List<TopicWriter> paused = new ArrayList<>();
        TopicLayout layout = topic.layout();
        topic.changing().writeLock().lock();
        try {
            for (TopicWriter writer : topic.writers()) {
                paused.add(writer);
                if (!writer.pause(deadline)) {
                    throw new IllegalStateException("a producer of topic '" + name + "' did not append what it"
                            + " placed within 30 s; the partition count stays " + layout.partitions());
                }
            }
            Topic changed = changeLayout(name, topic, layout.alter(partitions, forcedEnds(name, topic)));
            layout = changed.layout();
            LOG.info("topic '{}' now places keys on {} partitions: {}", name, partitions, layout);
            return layout;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrdoInterruptedException("interrupted while changing the partitions of topic '" + name + "'", e);
        } finally {
            for (TopicWriter writer : paused) {
                writer.resume(layout);
            }
            topic.changing().writeLock().unlock();
        }
    }

    /** Every partition's end, forced: the new layout's start offsets must survive a crash. */
    private long[] forcedEnds(String name, Topic topic) throws IOException {
        long[] ends = new long[topic.partitions().size()];
        for (int p = 0; p < ends.length; p++) {
            ends[p] = topic.partitions().get(p).nextOffset();
        }
        for (Throwable error : awaitDurable(name, ends)) {
            if (error != null) {
                throw new IOException("could not force topic '" + name + "' before changing its partitions", error);
            }
        }
        return ends;
    }

    /**
     * Opens the partitions the new layout adds, then records the layout (from here it stands, also after
     * a crash; partition directories of a change cut short before are empty and deleted on open).
     */
    private Topic changeLayout(String name, Topic topic, TopicLayout layout) throws IOException {
        int before = topic.partitions().size();
        TopicSpec spec = topic.spec().withPartitions(layout.partitions());
        List<PartitionLog> added = List.of();
        try {
            added = openPartitions(name, spec, before, layout.existing());
            TopicFile.write(data.root(), name, spec, layout);
        } catch (IOException | RuntimeException e) {
            closeAll(added, e);
            deletePartitionsFrom(name, before);
            throw e;
        }
        List<PartitionLog> all = new ArrayList<>(topic.partitions());
        all.addAll(added);
        Topic changed = topic.changed(spec, List.copyOf(all), layout);
        topics.put(name, changed);
        meters.grown(name, changed.partitions(), before);
        groups.partitionsChanged(name, layout.existing());
        return changed;
    }

    /** How the topic places keys on its partitions. */
    Placement placement(String name) {
        return topic(name).spec().placement();
    }

    /** The layouts the topic has had, the current one last. */
    public TopicLayout layout(String name) {
        return topic(name).layout();
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
        Map<String, List<PartitionLog>> partitions = new HashMap<>();
        topics.forEach((name, topic) -> partitions.put(name, topic.partitions()));
        meters.bind(registry, partitions);
    }

    /**
     * Deletes partition directories of {@code name} that no topic description claims: a deletion or
     * creation cut short left them (the description is deleted first and written last), and a new
     * topic of that name must not take up their records.
     */
    private void deleteLeftPartitions(String name) throws IOException {
        // A directory of another shape is not ours to delete (nor, if the topic needs it as a partition, to open: that
        // fails).
        for (Path dir : partitionDirectories(Pattern.compile(Pattern.quote(name) + "-\\d+"))) {
            LOG.warn(
                    "deleting {}: a partition directory of no topic, "
                            + "left by a deletion or creation of topic '{}' cut short",
                    dir,
                    name);
            Directories.deleteRecursively(dir);
        }
    }

    /**
     * The directories in the data directory whose names match {@code names} and that hold nothing
     * but partition files.
     */
    private List<Path> partitionDirectories(Pattern names) throws IOException {
        List<Path> matching;
        try (Stream<Path> files = Files.list(data.root())) {
            matching = files.filter(
                            f -> names.matcher(f.getFileName().toString()).matches())
                    .toList();
        }
        List<Path> partitions = new ArrayList<>();
        for (Path dir : matching) {
            if (DataDirectory.isPartitionDirectory(dir)) {
                partitions.add(dir);
            }
        }
        return partitions;
    }

    /** The topics, by name. */
    public List<String> listTopics() {
        requireOpen();
        return List.copyOf(topics.keySet());
    }

    public TopicDescription describe(String name) {
        Topic topic = topic(name);
        List<TopicDescription.PartitionState> states = new ArrayList<>();
        for (int p = 0; p < topic.partitions().size(); p++) {
            PartitionLog log = topic.partitions().get(p);
            states.add(new TopicDescription.PartitionState(p, log.startOffset(), log.nextOffset()));
        }
        return new TopicDescription(
                name, topic.spec().fsyncText(), states, topic.spec().placement(), topic.layout());
    }

    /**
     * Deletes a topic and its data. The topic is gone on return (a topic of the same name may be
     * created at once); its partition directories are renamed {@code <topic>-<p>.<id>.deleted} and
     * deleted in the background, as Kafka does: freeing the blocks of large segments takes hundreds
     * of milliseconds per GiB, and {@link #close()} waits for it. A deletion cut short by a crash is
     * finished by the next open.
     */
    public synchronized void deleteTopic(String name) throws IOException {
        Topic topic = topic(name);
        meters.deleted(name);
        for (PartitionLog log : topic.partitions()) {
            log.close();
        }
        topics.remove(name);
        Files.deleteIfExists(TopicFile.of(data.root(), name)); // the topic no longer exists, also after a crash
        String id = UUID.randomUUID().toString().replace("-", "");
        List<Path> renamed = new ArrayList<>();
        try {
            for (int p = 0; p < topic.partitions().size(); p++) {
                Path dir = data.partitionDirectory(name, p);
                if (Files.exists(dir)) {
                    renamed.add(Files.move(
                            dir, dir.resolveSibling(deletedName(name, p, id)), StandardCopyOption.ATOMIC_MOVE));
                }
            }
        } finally { // a partition not renamed (an I/O error) is deleted when a topic of that name is created
            deleter.deleteLater(renamed);
        }
    }

    /**
     * {@code <topic>-<partition>.<id>.deleted}, the topic's name cut (as Kafka cuts it) so that the
     * whole stays within the 255 bytes of a file name.
     */
    static String deletedName(String topic, int partition, String id) {
        String tail = "-" + partition + "." + id + DELETED_SUFFIX;
        return topic.substring(0, Math.min(topic.length(), 255 - tail.length())) + tail;
    }

    /** Partition directories of deleted topics whose deletion a stop cut short: deleted in the background. */
    private void deleteLeftDeletions() throws IOException {
        List<Path> left = partitionDirectories(DELETED_PARTITION);
        if (!left.isEmpty()) {
            LOG.info("deleting {} partition directories of deleted topics in the background: {}", left.size(), left);
            deleter.deleteLater(left);
        }
    }

    /** Appends one record to the partition its key maps to (round-robin for a null key). */
    public Acknowledgement append(String topicName, byte[] key, byte[] value) throws IOException {
        return append(topicName, key, value, List.of());
    }

    /** Appends one record with headers to the partition its key maps to. */
    public Acknowledgement append(String topicName, byte[] key, byte[] value, List<Header> headers) throws IOException {
        ReadWriteLock changing = topic(topicName).changing();
        changing.readLock().lock(); // the partition count does not change between placing and appending
        try {
            Topic topic = topic(topicName);
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
     * Appends records as one batch to one partition, for a producer that may be idempotent (the path
     * {@link dev.ordo.log.producer.OrdoProducer} takes), without the force of
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
        PartitionLog log = partition(topicName, partition);
        if (identity == null) {
            return log.appendBeforeSync(batch, RecordBatch.Producer.NONE);
        }
        producers.checkCurrent(identity);
        return log.appendBeforeSync(batch, new RecordBatch.Producer(identity.id(), identity.epoch(), baseSequence));
    }

    /**
     * True if the topic's appends are durable only after a force each
     * ({@link dev.ordo.log.storage.FsyncPolicy#everyBatch()}).
     */
    boolean syncsEveryBatch(String topicName) {
        return partition(topicName, 0).syncsEveryBatch();
    }

    /**
     * Makes each partition's offsets below {@code ends[partition]} durable (partitions with end 0 are
     * left alone), forcing the partitions at the same time: on this machine eight files forced one
     * after another took 2.8 ms, forced together 1.2 ms (the file system commits them in one journal
     * transaction). Returns each partition's error, null where it is durable.
     */
    Throwable[] awaitDurable(String topicName, long[] ends) {
        Throwable[] errors = new Throwable[ends.length];
        List<CompletableFuture<Void>> others = new ArrayList<>();
        int inline = -1; // the first partition is forced on the calling thread
        for (int p = 0; p < ends.length; p++) {
            if (ends[p] == 0) {
                continue;
            }
            if (inline < 0) {
                inline = p;
            } else {
                int partition = p;
                others.add(flusher.forceAlongside(
                        () -> errors[partition] = awaitDurable(topicName, partition, ends[partition])));
            }
        }
        if (inline >= 0) {
            errors[inline] = awaitDurable(topicName, inline, ends[inline]);
        }
        CompletableFuture.allOf(others.toArray(CompletableFuture[]::new)).join(); // each task catches its errors
        return errors;
    }

    private Throwable awaitDurable(String topicName, int partition, long end) {
        try {
            partition(topicName, partition).awaitDurable(end);
            return null;
        } catch (IOException | RuntimeException e) {
            return e;
        }
    }

    /**
     * Wakes the topic's waiting readers: {@link #appendBatch} does not (a producer appending a burst
     * of batches signals once after the burst).
     */
    void signalAppended(String topicName) {
        Topic topic = topics.get(topicName);
        if (topic != null) { // closed or deleted meanwhile: nobody to wake
            topic.appended().signal();
        }
    }

    /** Registers the calling thread as a reader of the topic that waits for appends. */
    AppendSignal.Waiter appendWaiter(String topicName) {
        return topic(topicName).appended().register();
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

    /** A new producer identity (see {@link ProducerRegistry#register}). */
    ProducerRegistry.Identity registerProducer(String name) throws IOException {
        requireOpen();
        return producers.register(name);
    }

    /** The largest batch, in bytes, a partition of the topic accepts. */
    int maxBatchBytes(String topicName) {
        return topic(topicName).spec().log().maxBatchBytes();
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
        Topic topic = topic(topicName);
        if (partition < 0 || partition >= topic.partitions().size()) {
            throw new IllegalArgumentException("partition must be in [0, "
                    + topic.partitions().size() + ") for topic '" + topicName + "', was " + partition);
        }
        return topic.partitions().get(partition);
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
        return topic(name).partitions().size();
    }

    /**
     * Registers a producer of the topic, which a change of the partition count pauses; returns the layout
     * it places by until it is told another ({@link TopicWriter#resume}).
     */
    synchronized TopicLayout registerWriter(String name, TopicWriter writer) {
        Topic topic = topic(name);
        topic.writers().add(writer);
        return topic.layout();
    }

    /** A producer of the topic closed. */
    void unregisterWriter(String name, TopicWriter writer) {
        Topic topic = topics.get(name);
        if (topic != null) {
            topic.writers().remove(writer);
        }
    }

    /**
     * Closes every partition (forcing what they hold, per their fsync policy), waits for the background
     * deletions of deleted topics and releases the data directory. Idempotent; every other call on a
     * closed log throws {@link IllegalStateException}.
     */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            meters.removeAll();
            for (Topic topic : topics.values()) {
                for (PartitionLog log : topic.partitions()) {
                    log.close();
                }
            }
            topics.clear();
        } finally {
            flusher.close();
            deleter.close(); // a deleted topic's data is gone once its deleter closes the engine (`topics delete`)
            data.close();
        }
    }

    /** Throws {@link IllegalStateException} once the log is closed. */
    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the log at " + data.root() + " is closed");
        }
    }

    /** The topic, found without a lock; a closed log has none, and says it is closed. */
    private Topic topic(String name) {
        Topic topic = topics.get(name);
        if (topic == null) {
            requireOpen();
            throw new IllegalArgumentException(
                    "topic '" + name + "' does not exist; existing topics: " + topics.keySet());
        }
        return topic;
    }

    private void openTopic(String name, TopicFile.Stored stored) throws IOException {
        deletePartitionsFrom(name, stored.layout().existing()); // made by a change of the count cut short
        List<PartitionLog> partitions =
                openPartitions(name, stored.spec(), 0, stored.layout().existing());
        topics.put(name, Topic.opened(stored.spec(), partitions, stored.layout()));
    }

    /** Opens partitions {@code from} to {@code to} (exclusive) of the topic, or, closing those it opened, none. */
    private List<PartitionLog> openPartitions(String name, TopicSpec spec, int from, int to) throws IOException {
        List<PartitionLog> partitions = new ArrayList<>();
        try {
            for (int p = from; p < to; p++) {
                partitions.add(PartitionLog.open(data.partitionDirectory(name, p), spec.log(), flusher, deleter));
            }
        } catch (IOException | RuntimeException e) {
            closeAll(partitions, e);
            throw e;
        }
        return List.copyOf(partitions);
    }

    /**
     * Deletes the topic's partition directories numbered {@code from} or more: a change of the partition
     * count made them, empty, and stopped before it recorded the new layout.
     */
    private void deletePartitionsFrom(String name, int from) throws IOException {
        for (int p = from; Files.isDirectory(data.partitionDirectory(name, p)); p++) {
            Path dir = data.partitionDirectory(name, p);
            LOG.warn("deleting {}: a partition a change of topic '{}' cut short had added", dir, name);
            Directories.deleteRecursively(dir);
        }
    }

    /** Closes the partitions, adding what closing throws to {@code failure}. */
    private static void closeAll(List<PartitionLog> partitions, Throwable failure) {
        for (PartitionLog partition : partitions) {
            try {
                partition.close();
            } catch (IOException | RuntimeException e) {
                failure.addSuppressed(e);
            }
        }
    }
}
