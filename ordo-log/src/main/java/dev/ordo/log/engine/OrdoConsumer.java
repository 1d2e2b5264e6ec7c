package dev.ordo.log.engine;

import dev.ordo.Arguments;
import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.OrdoRecord;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.exec.CompletionTracker;
import dev.ordo.exec.KeyOrderedExecutor;
import dev.ordo.log.storage.Header;
import dev.ordo.log.storage.LogOfflineException;
import dev.ordo.log.storage.Record;
import dev.ordo.metrics.OrdoMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer of one topic in a consumer group of the embedded engine: fetches every partition from
 * the group's committed offsets, runs the handler under an {@link Ordering}, retries failures with
 * backoff while the key stays blocked, sends what still fails to a dead-letter topic (the error in
 * a header), and commits per partition only the highest offset below which every record has been
 * handled, so a restart never skips an unhandled record (it may repeat handled ones after the
 * last commit: at-least-once). With a {@link Builder#committedState CommittedState} the offsets are
 * committed atomically with the application's state instead, at points where no handler runs, and
 * each record's effect on that state is applied exactly once, also across crashes.
 *
 * <p>A consumer starts from the committed offsets, or where {@link Builder#seek} /
 * {@link Builder#seekToTime} say (to replay). If retention deleted records it has not read, it
 * continues from the log's new start and logs how many it skipped, as Kafka's
 * {@code auto.offset.reset=earliest} does.
 *
 * <pre>{@code
 * OrdoConsumer consumer = OrdoConsumer.builder(log, "ledger").group("balances")
 *         .ordering(Ordering.KEY).concurrency(64).retry(Retry.exponential(5)).deadLetter("ledger.dlq")
 *         .handler(record -> ledger.apply(record))
 *         .start();
 * ...
 * consumer.close();   // drains in-flight records and commits
 * }</pre>
 *
 * Several consumers may share a group: the group's partitions are divided among them, balanced, and
 * re-divided (moving as few as possible) when one joins or closes. A consumer that loses a partition
 * stops fetching it, lets its in-flight records finish and commits before the new owner starts
 * from that commit, so a rebalance neither repeats nor skips a record and keeps per-key order. A
 * consumer with a {@link Builder#committedState committed state} must be alone in its group.
 */
public final class OrdoConsumer implements RecordConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(OrdoConsumer.class);
    private static final int FETCH_BYTES = 1 << 20;
    /** The longest an idle fetcher sleeps without a signal (rebalances are noticed at this pace). */
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final EmbeddedLog log;
    private final String topic;
    private final Ordering ordering;
    private final Consumer<? super ConsumedRecord> handler;
    private final CommittedOffsets committed;
    private final CommittedState state;
    private final AtomicLongArray committedNext;
    private final long commitIntervalNanos;
    /** Records dispatched whose handler (or dead-lettering) has not finished; commits of a state wait for 0. */
    private final AtomicLong outstanding = new AtomicLong();

    private final Object quiescence = new Object();
    /** The fetcher stops at {@code maxInFlight} records outstanding and goes on once they are down to this. */
    private final long resumeInFlight;

    private final long maxInFlight;
    private final CompletionTracker tracker = new CompletionTracker();
    private final KeyOrderedExecutor<Object> executor;
    /** Per partition, the offset of the next record to dispatch (fetcher thread; read racily by a gauge). */
    private final long[] fetchPosition;
    /** Per partition, records read and not yet dispatched (fetcher thread only; empty when none). */
    private final ArrayDeque<Record>[] fetched;
    /** Records in flight per partition; a revoked partition is handed over once its count is 0. */
    private final AtomicLongArray outstandingPerPartition;

    private final GroupCoordinator.Member member;
    /** Where a partition starts when acquired for the first time, if not at the committed offset. */
    private final Map<Integer, Long> initialPositions = new HashMap<>();
    /** Partitions this consumer fetches now, and those it should own (fetcher thread only). */
    private final Set<Integer> owned = new TreeSet<>();

    private Set<Integer> wanted = Set.of();
    private int seenGeneration = -1;
    private final AtomicBoolean running = new AtomicBoolean(true);
    /** Why the fetcher stopped before close, if it did (a damaged record, an I/O error). */
    private volatile Throwable failure;

    private final Thread fetcher;
    /**
     * Writes the periodic commits of the group's offsets file, so that the fetcher does not wait for
     * them (a commit forces two files to disk: 15-40 ms on the benchmark machine, every commit
     * interval). One commit at a time, at most one waiting; a newer one replaces the waiting one.
     * Null with a {@link Builder#committedState committed state}, whose commits stay on the fetcher.
     */
    private final ThreadPoolExecutor committer;
    /** Whether the last periodic commit failed (committer thread only): a failure is logged once until one succeeds. */
    private boolean commitsFailing;

    /** A record as handed to the handler, with where it came from (and its headers in {@code record}). */
    public record ConsumedRecord(String topic, int partition, Record record) implements OrdoRecord {
        @Override
        public long offset() {
            return record.offset();
        }

        @Override
        public long timestamp() {
            return record.timestamp();
        }

        @Override
        public byte[] key() {
            return record.key();
        }

        @Override
        public byte[] value() {
            return record.value();
        }
    }

    @SuppressWarnings("unchecked")
    private OrdoConsumer(Builder b) throws IOException {
        this.log = b.log;
        this.topic = b.topic;
        this.ordering = b.getOrdering();
        this.handler = b.getHandler();
        this.state = b.state;
        this.commitIntervalNanos = b.getCommitInterval().toNanos();
        this.maxInFlight = b.getMaxInFlight();
        this.resumeInFlight = maxInFlight - Math.max(1, maxInFlight / 4);
        int partitions = log.partitionCount(topic);
        this.fetchPosition = new long[partitions];
        this.fetched = new ArrayDeque[partitions];
        for (int p = 0; p < partitions; p++) {
            fetched[p] = new ArrayDeque<>();
        }
        this.outstandingPerPartition = new AtomicLongArray(partitions);
        this.committedNext = new AtomicLongArray(partitions);
        this.member = log.groups().join(b.getGroup(), topic, partitions, state != null);
        try {
            if (state != null) {
                this.committed = null;
                Map<Integer, Long> restored = state.restore();
                for (int p = 0; p < partitions; p++) {
                    long next = restored.getOrDefault(p, 0L);
                    long end = log.endOffset(topic, p);
                    if (next > end) { // as startPosition does for a group's offsets file
                        LOG.warn(
                                "committed state of group {} holds offset {} of {}-{}, but the log ends at {}: records it "
                                        + "handled were lost from the log (a power loss before they were forced), their effects "
                                        + "stay in the state; going on at {}",
                                b.getGroup(),
                                next,
                                topic,
                                p,
                                end,
                                end);
                        next = end;
                    }
                    committedNext.set(p, next);
                    initialPositions.put(p, next);
                }
            } else {
                this.committed = member.group().offsets();
            }
            for (int p = 0; p < partitions; p++) {
                if (b.seekTime != null) {
                    initialPositions.put(p, log.offsetForTime(topic, p, b.seekTime.toEpochMilli()));
                } else if (b.seeks.containsKey(p)) {
                    initialPositions.put(p, b.seeks.get(p));
                }
            }
        } catch (IOException | RuntimeException e) {
            log.groups().leave(member);
            throw e;
        }
        String deadLetterTopic = b.getDeadLetterTopic();
        if (deadLetterTopic != null && !log.listTopics().contains(deadLetterTopic)) {
            log.createTopic(deadLetterTopic, TopicSpec.partitions(1));
        }
        this.executor = KeyOrderedExecutor.builder()
                .concurrency(b.getConcurrency())
                .maxInFlight(b.getMaxInFlight())
                .retry(b.getRetry())
                .threadName("ordo-consumer-" + b.getGroup())
                .deadLetter((key, task, error, attempts) -> {
                    ConsumedRecord r = ((HandlerTask) task).record;
                    if (deadLetterTopic == null) {
                        LOG.error(
                                "record {}-{}@{} failed {} attempts and is skipped (no dead-letter topic)",
                                topic,
                                r.partition(),
                                r.record().offset(),
                                attempts,
                                error);
                        return;
                    }
                    log.append(
                            deadLetterTopic,
                            r.record().key(),
                            r.record().value(),
                            List.of(
                                    new Header(
                                            "ordo.error", String.valueOf(error).getBytes(StandardCharsets.UTF_8)),
                                    new Header(
                                            "ordo.origin",
                                            (topic + "-" + r.partition() + "@"
                                                            + r.record().offset())
                                                    .getBytes(StandardCharsets.UTF_8))));
                })
                .build();
        if (b.getRegistry() != null) {
            bindMetrics(b.getRegistry(), b.getGroup(), partitions);
        }
        this.fetcher = new Thread(this::fetchLoop, "ordo-fetch-" + b.getGroup() + "-" + topic);
        this.fetcher.setDaemon(true);
        this.committer = state != null
                ? null
                : new ThreadPoolExecutor(
                        1,
                        1,
                        0,
                        TimeUnit.MILLISECONDS,
                        new ArrayBlockingQueue<>(1),
                        r -> {
                            Thread t = new Thread(r, "ordo-commit-" + b.getGroup() + "-" + topic);
                            t.setDaemon(true);
                            return t;
                        },
                        new ThreadPoolExecutor.DiscardOldestPolicy());
    }

    public static Builder builder(EmbeddedLog log, String topic) {
        return new Builder(log, topic);
    }

    /**
     * Per partition: {@code ordo.consumer.lag} (records in the log not yet committed by the group)
     * and {@code ordo.consumer.fetch.lag} (records not yet fetched), tagged topic, partition, group.
     */
    private void bindMetrics(MeterRegistry registry, String group, int partitions) {
        for (int p = 0; p < partitions; p++) {
            int partition = p;
            Tags tags = Tags.of("topic", topic, "partition", String.valueOf(p), "group", group);
            Gauge.builder("ordo.consumer.lag", this, c -> c.endOffset(partition) - c.committedOffset(partition))
                    .description("records appended and not yet committed by the group")
                    .tags(tags)
                    .register(registry);
            Gauge.builder("ordo.consumer.fetch.lag", this, c -> c.endOffset(partition) - c.fetchPosition[partition])
                    .description("records appended and not yet fetched")
                    .tags(tags)
                    .register(registry);
        }
        OrdoMetrics.executor(executor, "consumer-" + group, "topic", topic).bindTo(registry);
    }

    private double endOffset(int partition) {
        return log.endOffset(topic, partition);
    }

    /** The handler stage's counters (in flight, peak, succeeded, retried, dead-lettered). */
    public dev.ordo.exec.ExecutorStats handlerStats() {
        return executor.stats();
    }

    /** The committed next offset of a partition. */
    public long committedOffset(int partition) {
        return state == null ? committed.get(partition) : committedNext.get(partition);
    }

    /**
     * Why this consumer stopped fetching, if it stopped before {@link #close()}: a record that fails its
     * CRC when read (damage after the log was opened), an I/O error. Records handled until then are
     * committed as usual; nothing after the failure is delivered. A Kafka consumer's {@code poll}
     * would throw it; this consumer has no poll, so the application asks (or watches
     * {@code ordo.consumer.fetch.lag} grow).
     */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** The partitions this consumer fetches now (changes when group members come and go). */
    public synchronized Set<Integer> assignment() {
        return Set.copyOf(assignmentView);
    }

    /** Stops fetching, waits for in-flight records to finish, and commits. */
    @Override
    public void close() throws IOException {
        running.set(false);
        try {
            fetcher.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.close();
        try {
            if (committer != null) {
                committer.shutdown(); // the last periodic commit finishes; the final one follows
                committer.awaitTermination(1, TimeUnit.MINUTES);
            }
            commit();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            commit();
        } finally {
            for (int p : owned) {
                member.group().release(member.id(), p);
            }
            log.groups().leave(member);
        }
    }

    private OrdoConsumer startFetching() {
        fetcher.start();
        return this;
    }

    private void fetchLoop() {
        long lastCommit = System.nanoTime();
        try (AppendSignal.Waiter appended = log.appendWaiter(topic)) {
            while (running.get()) {
                rebalanceIfNeeded();
                boolean any = false;
                // Each partition gets a share of maxInFlight per round, so that one partition's large
                // fetch cannot fill the executor while the others' workers stand idle.
                long share = Math.max(1, maxInFlight / (2L * Math.max(1, owned.size())));
                for (int p : owned) {
                    if (!running.get()) {
                        break;
                    }
                    ArrayDeque<Record> records = fetched[p];
                    // Nothing new is seen without a lock or a system call: an idle partition costs a volatile read.
                    if (records.isEmpty() && unfetched(p)) {
                        fetch(p);
                    }
                    if (!records.isEmpty()) {
                        if (outstanding.get() >= maxInFlight) {
                            awaitRoom();
                        }
                        // Only the fetcher adds to outstanding: there is room for at least one now.
                        long room = maxInFlight - outstanding.get();
                        dispatch(p, records, (int) Math.min(Math.min(share, room), records.size()));
                        any = true;
                    }
                }
                if (System.nanoTime() - lastCommit >= commitIntervalNanos) {
                    commitInBackground();
                    lastCommit = System.nanoTime();
                }
                if (!any) {
                    // Nothing new: wait for a producer's signal, or poll again shortly; a partition
                    // gone offline gets nothing new ever, and stops the consumer, as a fetch from it would.
                    requireOnline();
                    appended.await(IDLE_PARK_NANOS, this::anythingNew);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("consumer of {} stopped fetching", topic, e);
            failure = e;
            running.set(false);
        }
    }

    /** Throws the {@link LogOfflineException} of an owned partition a failed force took offline. */
    private void requireOnline() throws LogOfflineException {
        for (int p : owned) {
            log.partition(topic, p).requireOnline();
        }
    }

    /** True if an owned partition has records not fetched yet. */
    private boolean anythingNew() {
        for (int p : owned) {
            if (unfetched(p)) {
                return true;
            }
        }
        return false;
    }

    /** True if the partition has records beyond the fetch position (one volatile read, no lock). */
    private boolean unfetched(int partition) {
        return log.endOffset(topic, partition) > fetchPosition[partition];
    }

    /**
     * Waits until a quarter of {@code maxInFlight} is free again. Waiting for one free slot instead
     * (the executor's own bound) would wake this thread for every record handled and put it back to
     * sleep after one dispatch: a context switch per record, on a consumer that is already behind.
     */
    private void awaitRoom() throws IOException {
        awaitHandlers(() -> outstanding.get() <= resumeInFlight, "waiting for handlers to catch up");
    }

    /** Waits on {@code quiescence} (notified as handlers finish) until {@code done} holds. */
    private void awaitHandlers(java.util.function.BooleanSupplier done, String what) throws IOException {
        synchronized (quiescence) {
            while (!done.getAsBoolean()) {
                try {
                    quiescence.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while " + what, e);
                }
            }
        }
    }

    /**
     * Follows the group's assignment: hands over partitions this consumer should no longer own
     * (drained and committed first) and takes up those it should own once their previous owner let go.
     */
    private void rebalanceIfNeeded() throws IOException {
        GroupCoordinator.Group group = member.group();
        int generation = group.generation();
        if (generation != seenGeneration) {
            seenGeneration = generation;
            wanted = group.target(member.id());
            for (int p : List.copyOf(owned)) {
                if (!wanted.contains(p)) {
                    revoke(p);
                }
            }
        }
        for (int p : wanted) {
            if (!owned.contains(p) && group.tryAcquire(member.id(), p)) {
                Long initial = initialPositions.remove(p);
                fetchPosition[p] = initial != null ? initial : startPosition(p);
                fetched[p].clear();
                owned.add(p);
                publishAssignment();
            }
        }
    }

    /**
     * Where the group goes on in a partition: its committed offset, or the log's end if the log ends
     * before it. That happens when records the group handled were lost (a power loss under an fsync
     * policy that acknowledges before the force); reading on from the committed offset would skip
     * the records appended since at the lost offsets.
     */
    private long startPosition(int partition) throws IOException {
        long committedNext = committedOffset(partition);
        long end = log.endOffset(topic, partition);
        if (committedNext > end && committed != null) { // (a committed state's positions are checked on restore)
            committed.rewind(partition, end); // commits count from here again
            LOG.warn(
                    "group {} committed offset {} of {}-{}, but the log ends at {}: records the group handled were lost "
                            + "(a power loss before they were forced); going on there",
                    member.group().name(),
                    committedNext,
                    topic,
                    partition,
                    end);
            return end;
        }
        return committedNext;
    }

    private void revoke(int partition) throws IOException {
        awaitHandlers(() -> outstandingPerPartition.get(partition) == 0, "handing over partition " + partition);
        long done = tracker.highestContiguousCompleted(partition);
        if (done >= 0) {
            committed.commit(Map.of(partition, done + 1));
        }
        owned.remove(partition);
        fetched[partition].clear();
        member.group().release(member.id(), partition);
        publishAssignment();
        LOG.debug("handed over {}-{} at offset {}", topic, partition, committed.get(partition));
    }

    private Set<Integer> assignmentView = Set.of();

    private synchronized void publishAssignment() {
        assignmentView = Set.copyOf(owned);
    }

    /** Reads the partition's next records into {@code fetched}, past any that retention deleted unread. */
    private void fetch(int partition) throws IOException {
        skipDeleted(partition);
        try {
            List<Record> records = log.read(topic, partition, fetchPosition[partition], FETCH_BYTES);
            for (int i = 0; i < records.size(); i++) { // ArrayDeque.addAll goes through a lambda per call
                fetched[partition].addLast(records.get(i));
            }
        } catch (IllegalArgumentException e) {
            // Retention deleted them between the check and the read: skipped on the next round.
            if (fetchPosition[partition] >= log.startOffset(topic, partition)) {
                throw e;
            }
        }
    }

    /** Moves past records retention deleted before they were read. */
    private void skipDeleted(int partition) {
        long start = log.startOffset(topic, partition);
        if (fetchPosition[partition] < start) {
            LOG.warn(
                    "records {}-{}@[{}, {}) were deleted by retention before group read them; continuing at {}",
                    topic,
                    partition,
                    fetchPosition[partition],
                    start,
                    start);
            fetchPosition[partition] = start;
        }
    }

    /**
     * Hands the next {@code count} records of a partition to the executor, those of one execution key
     * together ({@link KeyOrderedExecutor#submitAll}): a key's worker then finds its records queued
     * instead of going idle and being woken again between two of them.
     */
    private void dispatch(int partition, ArrayDeque<Record> records, int count) {
        Map<Object, List<HandlerTask>> byKey = new LinkedHashMap<>();
        long[] offsets = new long[count];
        for (int i = 0; i < count; i++) {
            Record record = records.pollFirst();
            offsets[i] = record.offset();
            Object key = ordering.executionKey(partition, record.key(), record.offset());
            byKey.computeIfAbsent(key, k -> new ArrayList<>())
                    .add(new HandlerTask(new ConsumedRecord(topic, partition, record)));
            fetchPosition[partition] = record.offset() + 1;
        }
        tracker.registerAll(partition, offsets, count); // before any is submitted, so before any completes
        outstanding.addAndGet(count);
        outstandingPerPartition.addAndGet(partition, count);
        for (Map.Entry<Object, List<HandlerTask>> run : byKey.entrySet()) {
            executor.submitAll(run.getKey(), run.getValue(), HandlerTask::valueBytes, this::finished);
        }
    }

    /** A record's handling ended (handled, or dead-lettered, or neither if dead-lettering failed). */
    private void finished(HandlerTask task, KeyOrderedExecutor.Outcome outcome, Throwable error) {
        finished(task.record.partition(), task.record.offset(), error);
    }

    private void finished(int partition, long offset, Throwable error) {
        if (error == null) {
            tracker.complete(partition, offset);
        } else {
            // Neither handled nor parked: the commit point stays before it, so a restart retries it.
            LOG.error(
                    "record {}-{}@{} could not be dead-lettered; commits of partition {} stop before it",
                    topic,
                    partition,
                    offset,
                    partition,
                    error);
        }
        boolean partitionIdle = outstandingPerPartition.decrementAndGet(partition) == 0;
        long left = outstanding.decrementAndGet();
        if (left == 0 || left == resumeInFlight || partitionIdle) {
            synchronized (quiescence) {
                quiescence.notifyAll();
            }
        }
    }

    private void commit() throws IOException {
        if (state != null) {
            commitState();
            return;
        }
        committed.commit(commitPoints());
    }

    /**
     * The periodic commit: the points are taken on the fetcher thread, the file is written by the
     * committer (offsets only move forward, so a late write never takes one back). A commit with a
     * committed state stays here: it needs the handlers quiescent.
     */
    private void commitInBackground() throws IOException {
        if (state != null) {
            commitState();
            return;
        }
        Map<Integer, Long> next = commitPoints();
        committer.execute(() -> {
            try {
                committed.commit(next);
                if (commitsFailing) {
                    commitsFailing = false;
                    LOG.info("commits of {} offsets succeed again", topic);
                }
            } catch (IOException | RuntimeException e) {
                if (!commitsFailing) {
                    commitsFailing = true;
                    LOG.error(
                            "commit of {} offsets {} failed; retrying every commit interval (until one succeeds,"
                                    + " further failures are logged at DEBUG)",
                            topic,
                            next,
                            e);
                } else {
                    LOG.debug("commit of {} offsets {} failed again", topic, next, e);
                }
            }
        });
    }

    /** Per owned partition, the offset after which nothing is unfinished (fetcher thread). */
    private Map<Integer, Long> commitPoints() {
        Map<Integer, Long> next = new HashMap<>();
        for (int p : owned) {
            long done = tracker.highestContiguousCompleted(p);
            if (done >= 0) {
                next.put(p, done + 1);
            }
        }
        return next;
    }

    /**
     * Waits (not fetching meanwhile) until no handler runs, then commits the state with offsets that
     * match it exactly: everything fetched, or, behind a record that could not even be dead-lettered,
     * only up to that record.
     */
    private void commitState() throws IOException {
        synchronized (quiescence) {
            while (outstanding.get() > 0) {
                try {
                    quiescence.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return; // not quiescent: do not commit
                }
            }
        }
        Map<Integer, Long> next = new HashMap<>();
        for (int p = 0; p < fetchPosition.length; p++) {
            if (!owned.contains(p)) {
                next.put(p, committedNext.get(p)); // not taken up yet: as restored
            } else {
                next.put(p, tracker.pending(p) == 0 ? fetchPosition[p] : tracker.highestContiguousCompleted(p) + 1);
            }
        }
        state.commit(next);
        next.forEach(committedNext::set);
    }

    /** The handler call for one record (the dead-letter handler gets the record back from it). */
    private final class HandlerTask implements KeyOrderedExecutor.Task {
        final ConsumedRecord record;

        HandlerTask(ConsumedRecord record) {
            this.record = record;
        }

        @Override
        public void run() {
            handler.accept(record);
        }

        long valueBytes() {
            return record.record().value() == null ? 0 : record.record().value().length;
        }
    }

    /**
     * Configures an {@link OrdoConsumer}: the settings shared with Kafka's consumer
     * ({@link ConsumerBuilder}; group and handler required) and the embedded engine's own.
     */
    public static final class Builder extends ConsumerBuilder<Builder, ConsumedRecord> {
        private final EmbeddedLog log;
        private final String topic;
        private CommittedState state;
        private final Map<Integer, Long> seeks = new HashMap<>();
        private Instant seekTime;

        private Builder(EmbeddedLog log, String topic) {
            this.log = Objects.requireNonNull(log, "log must not be null");
            this.topic = Objects.requireNonNull(topic, "topic must not be null");
        }

        @Override
        protected Builder self() {
            return this;
        }

        /**
         * Commits offsets atomically with this application state instead of the group's offsets file
         * (exactly-once effects on the state; see {@link CommittedState}).
         */
        public Builder committedState(CommittedState state) {
            this.state = Objects.requireNonNull(state, "state must not be null");
            return this;
        }

        /** Starts reading {@code partition} at {@code offset} instead of the committed offset (replay or skip). */
        public Builder seek(int partition, long offset) {
            Arguments.atLeast("partition", partition, 0);
            Arguments.atLeast("offset", offset, 0);
            seeks.put(partition, offset);
            return this;
        }

        /** Starts reading every partition at its first record at or after {@code time} (replay from a time). */
        public Builder seekToTime(Instant time) {
            this.seekTime = Objects.requireNonNull(time, "time must not be null");
            return this;
        }

        /** Creates the consumer and starts fetching. */
        public OrdoConsumer start() throws IOException {
            requireComplete();
            if (!getGroup().matches("[a-zA-Z0-9._-]{1,200}")) {
                throw new IllegalArgumentException(
                        "group must be 1-200 characters of [a-zA-Z0-9._-] on the embedded engine"
                                + " (it names the offsets file), was '" + getGroup() + "'");
            }
            int partitions = log.partitionCount(topic);
            for (Map.Entry<Integer, Long> seek : seeks.entrySet()) {
                if (seek.getKey() >= partitions) {
                    throw new IllegalArgumentException("seek partition must be in [0, " + partitions + ") for topic '"
                            + topic + "', was " + seek.getKey());
                }
                long end = log.endOffset(topic, seek.getKey());
                if (seek.getValue() > end) {
                    throw new IllegalArgumentException("seek offset of " + topic + "-" + seek.getKey()
                            + " must be <= its end offset " + end + ", was " + seek.getValue());
                }
            }
            return new OrdoConsumer(this).startFetching();
        }
    }
}
