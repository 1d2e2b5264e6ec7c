package dev.ordo.log.engine;

import dev.ordo.Arguments;
import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.Deserializer;
import dev.ordo.engine.Headers;
import dev.ordo.engine.Lag;
import dev.ordo.engine.Serdes;
import dev.ordo.engine.core.AbstractRecordConsumer;
import dev.ordo.engine.core.ConsumerMeters;
import dev.ordo.engine.core.ConsumerSettings;
import dev.ordo.engine.core.RawRecord;
import dev.ordo.log.storage.Header;
import dev.ordo.log.storage.LogOfflineException;
import dev.ordo.log.storage.Record;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer of one topic in a consumer group of the embedded engine. It fetches the partitions the
 * group gives it from the group's committed offsets and hands them to the engine-neutral
 * {@link RecordDispatcher} (ordering, retries, parking, dead letters, commit points); it keeps the
 * fetching, the group membership and the commits. A restart never skips an unhandled record
 * (at-least-once). With a {@link Builder#committedState CommittedState} the offsets are committed
 * atomically with the application's state instead, at points where no handler runs, so each record's
 * effect on that state is applied exactly once, also across crashes.
 *
 * <pre>{@code
 * try (RecordConsumer consumer = OrdoConsumer.builder(log, "ledger", Serdes.string(), Serdes.json(Txn.class))
 *         .group("balances").ordering(Ordering.KEY).concurrency(64).retry(Retry.exponential(5))
 *         .handler(record -> ledger.apply(record.key(), record.value()))
 *         .start()) {
 *     ...
 * }   // close() drains the records in flight and commits
 * }</pre>
 *
 * <p>A consumer starts from the committed offsets, or where {@link Builder#seek} /
 * {@link Builder#seekToTime} say (to replay). If retention deleted records it has not read, it
 * continues from the log's new start and logs how many it skipped, as Kafka's
 * {@code auto.offset.reset=earliest} does. Several consumers may share a group: its partitions are
 * divided among them, balanced, and re-divided (moving as few as possible) when one joins or closes;
 * a partition changes hands only after its old owner drained and committed it. A consumer with a
 * committed state must be alone in its group.
 *
 * @param <K> the key type handed to the handler
 * @param <V> the value type handed to the handler
 */
public final class OrdoConsumer<K, V> extends AbstractRecordConsumer<K, V> {

    private static final Logger LOG = LoggerFactory.getLogger(OrdoConsumer.class);
    private static final int FETCH_BYTES = 1 << 20;
    /** The longest an idle fetcher sleeps without a signal (rebalances are noticed at this pace). */
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** The longest the fetcher waits for handlers before it looks at rebalances, closing and stalls again. */
    private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final EmbeddedLog log;
    private final String topic;
    private final ConsumerProgress progress;
    private final long commitIntervalNanos;
    private final long maxInFlight;
    /** Per partition, the offset of the next record to dispatch (fetcher thread; read racily by gauges). */
    private final long[] fetchPosition;
    /** Per partition, records read and not yet dispatched (fetcher thread only). */
    private final ArrayDeque<Record>[] fetched;

    private final GroupCoordinator.Member member;
    /** Where a partition starts when acquired for the first time, if not at the committed offset. */
    private final Map<Integer, Long> initialPositions;
    /** Partitions this consumer fetches now, and those it should own (fetcher thread only). */
    private final Set<Integer> owned = new TreeSet<>();

    private Set<Integer> wanted = Set.of();
    private int seenGeneration = -1;
    private volatile Set<Integer> assignmentView = Set.of();
    /** Whether every partition the group gives this consumer is owned (awaitCaughtUp waits for it). */
    private volatile boolean settled;

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Throwable failure;
    private final Thread fetcher;

    @SuppressWarnings("unchecked")
    private OrdoConsumer(Builder<K, V> b, ConsumerSettings<K, V> settings) throws IOException {
        super(settings, "ordo-consumer-" + settings.group());
        this.log = b.log;
        this.topic = settings.topic();
        this.commitIntervalNanos = settings.commitInterval().toNanos();
        this.maxInFlight = settings.maxInFlight();
        int partitions = log.partitionCount(topic);
        this.fetchPosition = new long[partitions];
        this.fetched = new ArrayDeque[partitions];
        for (int p = 0; p < partitions; p++) {
            fetched[p] = new ArrayDeque<>();
        }
        try {
            this.member = log.groups().join(settings.group(), topic, partitions, b.state != null);
        } catch (IOException | RuntimeException e) {
            dispatcher.close(Duration.ZERO); // its handler threads started with it
            throw e;
        }
        try {
            this.initialPositions = new HashMap<>();
            if (b.state != null) {
                this.progress = new ConsumerProgress.State(b.state, restore(b.state, partitions));
                for (int p = 0; p < partitions; p++) {
                    initialPositions.put(p, progress.committed(p));
                }
            } else {
                this.progress = new ConsumerProgress.Offsets(
                        member.group().offsets(), topic, "ordo-commit-" + settings.group() + "-" + topic);
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
            dispatcher.close(Duration.ZERO);
            throw e;
        }
        if (settings.registry() != null) {
            bindMetrics(settings.registry(), partitions);
        }
        this.fetcher = new Thread(this::fetchLoop, "ordo-fetch-" + settings.group() + "-" + topic);
        this.fetcher.setDaemon(true);
    }

    /** A consumer of raw bytes: keys and values as they are in the log. */
    public static Builder<byte[], byte[]> builder(EmbeddedLog log, String topic) {
        return new Builder<>(log, topic, Serdes.bytes(), Serdes.bytes());
    }

    /** A consumer whose handler gets keys and values through these deserializers. */
    public static <K, V> Builder<K, V> builder(
            EmbeddedLog log, String topic, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        return new Builder<>(log, topic, keyDeserializer, valueDeserializer);
    }

    /**
     * The restored positions of a committed state; one past the log's end (records it includes were
     * lost from the log in a power loss) goes on at the end, as a group's offsets file does.
     */
    private Map<Integer, Long> restore(CommittedState state, int partitions) throws IOException {
        Map<Integer, Long> restored = new HashMap<>(state.restore());
        for (int p = 0; p < partitions; p++) {
            long next = restored.getOrDefault(p, 0L);
            long end = log.endOffset(topic, p);
            if (next > end) {
                LOG.warn(
                        "committed state of group {} holds offset {} of {}-{}, but the log ends at {}: records it "
                                + "handled were lost from the log (a power loss before they were forced), their effects "
                                + "stay in the state; going on at {}",
                        settings.group(),
                        next,
                        topic,
                        p,
                        end,
                        end);
                next = end;
            }
            restored.put(p, next);
        }
        return restored;
    }

    /** Per partition {@code ordo.consumer.lag} and {@code ordo.consumer.fetch.lag}, and the consumer's own meters. */
    private void bindMetrics(MeterRegistry registry, int partitions) {
        Tags tags = Tags.of("topic", topic, "group", settings.group());
        for (int p = 0; p < partitions; p++) {
            int partition = p;
            Tags partitionTags = tags.and("partition", String.valueOf(p));
            Gauge.builder("ordo.consumer.lag", this, c -> c.endOffset(partition) - c.committedOffset(partition))
                    .description("records appended and not yet committed by the group")
                    .tags(partitionTags)
                    .register(registry);
            Gauge.builder("ordo.consumer.fetch.lag", this, c -> c.endOffset(partition) - c.fetchPosition[partition])
                    .description("records appended and not yet fetched")
                    .tags(partitionTags)
                    .register(registry);
        }
        ConsumerMeters.bind(registry, dispatcher, "consumer-" + settings.group(), tags);
    }

    private long endOffset(int partition) {
        return log.endOffset(topic, partition);
    }

    /** The committed next offset of a partition. */
    public long committedOffset(int partition) {
        return progress.committed(partition);
    }

    @Override
    public Set<Integer> assignment() {
        return assignmentView;
    }

    @Override
    public Lag lag() {
        return dispatcher.lag(this::endOffset);
    }

    @Override
    protected void shutdown(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        running.set(false);
        try {
            fetcher.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            dispatcher.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            progress.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            commitNow(); // what the handlers finished, nothing of parked keys
        } catch (IOException | RuntimeException e) {
            LOG.error(
                    "final commit of {} for group {} failed; the records since the last commit will be handled "
                            + "again",
                    topic,
                    settings.group(),
                    e);
        } finally {
            for (int p : owned) {
                member.group().release(member.id(), p);
            }
            log.groups().leave(member);
        }
    }

    private OrdoConsumer<K, V> startFetching() {
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
                // fetch cannot fill the handlers while the others' stand idle.
                long share = Math.max(1, maxInFlight / (2L * Math.max(1, owned.size())));
                for (int p : owned) {
                    ArrayDeque<Record> records = fetched[p];
                    // Nothing new is seen without a lock or a system call: an idle partition costs a volatile read.
                    if (records.isEmpty() && unfetched(p)) {
                        fetch(p);
                    }
                    if (!records.isEmpty() && running.get() && awaitRoom()) {
                        dispatch(p, records, (int) Math.min(Math.min(share, dispatcher.room()), records.size()));
                        any = true;
                    }
                }
                if (System.nanoTime() - lastCommit >= commitIntervalNanos) {
                    commitPeriodically();
                    lastCommit = System.nanoTime();
                }
                dispatcher.checkStall();
                if (!any) {
                    // Nothing new: wait for a producer's signal, or poll again shortly; a partition
                    // gone offline gets nothing new ever, and stops the consumer, as a fetch from it would.
                    requireOnline();
                    appended.await(IDLE_PARK_NANOS, this::anythingNew);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("consumer of {} stopped fetching", topic, e);
            failed(e);
            running.set(false);
        } catch (InterruptedException e) {
            failed(e);
            running.set(false);
        }
    }

    /**
     * Waits until the handlers are down to the resume mark, looking up now and then to notice a close and
     * to report a stall; false if the consumer is closing.
     */
    private boolean awaitRoom() throws InterruptedException {
        while (dispatcher.full()) {
            if (!running.get()) {
                return false;
            }
            dispatcher.awaitResumable(WAIT_SLICE_NANOS);
            dispatcher.checkStall();
        }
        return true;
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
     * Follows the group's assignment: hands over partitions this consumer should no longer own
     * (drained and committed first) and takes up those it should own once their previous owner let go.
     */
    private void rebalanceIfNeeded() throws IOException, InterruptedException {
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
                dispatcher.assign(p, fetchPosition[p], Collections.emptyNavigableSet());
                owned.add(p);
                assignmentView = Set.copyOf(owned);
            }
        }
        settled(owned.containsAll(wanted));
    }

    /**
     * Where the group goes on in a partition: its committed offset, or the log's end if the log ends
     * before it. That happens when records the group handled were lost (a power loss under an fsync
     * policy that acknowledges before the force); reading on from the committed offset would skip
     * the records appended since at the lost offsets.
     */
    private long startPosition(int partition) throws IOException {
        long committedNext = progress.committed(partition);
        long end = log.endOffset(topic, partition);
        if (committedNext > end) {
            progress.rewind(partition, end); // commits count from here again
            LOG.warn(
                    "group {} committed offset {} of {}-{}, but the log ends at {}: records the group handled were lost "
                            + "(a power loss before they were forced); going on there",
                    settings.group(),
                    committedNext,
                    topic,
                    partition,
                    end);
            return end;
        }
        return committedNext;
    }

    private void revoke(int partition) throws IOException, InterruptedException {
        dispatcher.drain(partition);
        long next = dispatcher.commitPoint(partition);
        if (next >= 0 && !progress.needsQuiescence()) {
            progress.commit(Map.of(partition, next));
        }
        dispatcher.release(partition);
        owned.remove(partition);
        fetched[partition].clear();
        member.group().release(member.id(), partition);
        assignmentView = Set.copyOf(owned);
        LOG.debug("handed over {}-{} at offset {}", topic, partition, progress.committed(partition));
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
                    "records {}-{}@[{}, {}) were deleted by retention before group {} read them; continuing at {}",
                    topic,
                    partition,
                    fetchPosition[partition],
                    start,
                    settings.group(),
                    start);
            fetchPosition[partition] = start;
        }
    }

    /** Hands the next {@code count} fetched records of a partition to the dispatcher. */
    private void dispatch(int partition, ArrayDeque<Record> records, int count) {
        List<RawRecord> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Record r = records.pollFirst();
            batch.add(new RawRecord(partition, r.offset(), r.timestamp(), r.key(), r.value(), headers(r.headers())));
            fetchPosition[partition] = r.offset() + 1;
        }
        dispatcher.dispatch(partition, batch);
    }

    private static Headers headers(List<Header> stored) {
        if (stored.isEmpty()) {
            return Headers.empty();
        }
        List<dev.ordo.engine.Header> headers = new ArrayList<>(stored.size());
        for (Header h : stored) {
            headers.add(new dev.ordo.engine.Header(h.key(), h.value()));
        }
        return Headers.of(headers);
    }

    /** The periodic commit: the offsets file in the background; a state at the next quiet moment. */
    private void commitPeriodically() throws IOException, InterruptedException {
        if (progress.needsQuiescence()) {
            commitState();
        } else {
            progress.commitInBackground(commitPoints());
        }
    }

    private void commitNow() throws IOException {
        if (progress.needsQuiescence()) {
            Map<Integer, Long> points = statePoints();
            if (points != null) {
                progress.commit(points);
            } else {
                LOG.warn(
                        "group {} closes with records of {} unhandled (parked keys): its state is not committed, "
                                + "the next start goes on from the last commit",
                        settings.group(),
                        topic);
            }
        } else {
            progress.commit(commitPoints());
        }
    }

    /** Per owned partition, the offset below which nothing is unfinished (fetcher thread). */
    private Map<Integer, Long> commitPoints() {
        Map<Integer, Long> next = new HashMap<>();
        for (int p : owned) {
            long point = dispatcher.commitPoint(p);
            if (point >= 0) {
                next.put(p, point);
            }
        }
        return next;
    }

    /**
     * Waits (not fetching meanwhile) until no record is in flight, then commits the state with offsets
     * that match it exactly. A parked key keeps records in flight: the consumer then stops here and says
     * so ({@link RecordDispatcher#checkStall()}) until the key is resumed or skipped.
     */
    private void commitState() throws IOException, InterruptedException {
        while (!dispatcher.awaitQuiescent(WAIT_SLICE_NANOS)) {
            dispatcher.checkStall();
            if (!running.get()) {
                return; // not quiescent: the close commits if it can
            }
        }
        Map<Integer, Long> points = statePoints();
        if (points != null) {
            progress.commit(points);
        }
    }

    /**
     * Offsets matching the state when nothing is in flight: the fetch positions, if every record
     * dispatched is done; null if one is not (abandoned at close), as no offset then matches the state.
     */
    private Map<Integer, Long> statePoints() {
        Map<Integer, Long> next = new HashMap<>();
        for (int p : owned) {
            if (dispatcher.pending(p) > 0) {
                return null;
            }
            next.put(p, fetchPosition[p]);
        }
        return next;
    }

    /** Copies a record that failed every attempt to the dead-letter topic and waits for it to be stored. */
    @Override
    protected void sendDeadLetter(String deadLetterTopic, byte[] key, byte[] value, Headers headers)
            throws IOException {
        List<Header> stored = new ArrayList<>(headers.size());
        for (dev.ordo.engine.Header h : headers) {
            stored.add(new Header(h.key(), h.value()));
        }
        log.append(deadLetterTopic, key, value, stored);
    }

    /**
     * Configures an {@link OrdoConsumer}: the settings shared with Kafka's consumer
     * ({@link ConsumerBuilder}; group and handler required) and the embedded engine's own.
     */
    public static final class Builder<K, V> extends ConsumerBuilder<Builder<K, V>, K, V> {
        private final EmbeddedLog log;
        private CommittedState state;
        private final Map<Integer, Long> seeks = new HashMap<>();
        private Instant seekTime;

        private Builder(EmbeddedLog log, String topic, Deserializer<K> keys, Deserializer<V> values) {
            super(topic, keys, values);
            this.log = Objects.requireNonNull(log, "log must not be null");
        }

        @Override
        protected Builder<K, V> self() {
            return this;
        }

        /**
         * Commits offsets atomically with this application state instead of the group's offsets file
         * (exactly-once effects on the state; see {@link CommittedState}).
         */
        public Builder<K, V> committedState(CommittedState state) {
            this.state = Objects.requireNonNull(state, "state must not be null");
            return this;
        }

        /** Starts reading {@code partition} at {@code offset} instead of the committed offset (replay or skip). */
        public Builder<K, V> seek(int partition, long offset) {
            Arguments.atLeast("partition", partition, 0);
            Arguments.atLeast("offset", offset, 0);
            seeks.put(partition, offset);
            return this;
        }

        /** Starts reading every partition at its first record at or after {@code time} (replay from a time). */
        public Builder<K, V> seekToTime(Instant time) {
            this.seekTime = Objects.requireNonNull(time, "time must not be null");
            return this;
        }

        /**
         * Creates the consumer and starts fetching.
         *
         * @throws IllegalArgumentException if the topic does not exist, the dead-letter topic does not
         *     exist (and is not to be created), or a seek is out of range
         * @throws UncheckedIOException if the group's offsets or the state cannot be read
         */
        @Override
        public OrdoConsumer<K, V> start() {
            ConsumerSettings<K, V> settings = settings();
            String topic = settings.topic();
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
            try {
                requireDeadLetterTopic(settings);
                return new OrdoConsumer<>(this, settings).startFetching();
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot start a consumer of " + topic + " in group " + settings.group(), e);
            }
        }

        private void requireDeadLetterTopic(ConsumerSettings<K, V> settings) throws IOException {
            String dlq = settings.deadLetterTopic();
            if (dlq == null || log.listTopics().contains(dlq)) {
                return;
            }
            if (!settings.createDeadLetterTopic()) {
                throw new IllegalArgumentException("deadLetter topic '" + dlq + "' does not exist; create it, or use "
                        + "deadLetter(topic, true) to have the consumer create it");
            }
            log.createTopic(dlq, TopicSpec.partitions(1));
        }
    }
}
