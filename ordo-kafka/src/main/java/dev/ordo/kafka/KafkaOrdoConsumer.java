package dev.ordo.kafka;

import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.Deserializer;
import dev.ordo.engine.Headers;
import dev.ordo.engine.Lag;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.Serdes;
import dev.ordo.engine.core.AbstractRecordConsumer;
import dev.ordo.engine.core.ConsumerMeters;
import dev.ordo.engine.core.ConsumerSettings;
import dev.ordo.engine.core.RawRecord;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka consumer in a consumer group with Ordo's ordering modes: in {@link Ordering#KEY} mode the
 * records of one partition run in parallel across keys and in log order within a key, the job
 * Confluent's Parallel Consumer does. What happens between fetching and committing (ordering,
 * retries, parking, dead letters, commit points, drains) is the engine-neutral
 * {@link RecordDispatcher}'s, the same as on the embedded engine; this class keeps polling, group
 * membership, commits and partition fences.
 *
 * <ul>
 *   <li><b>Commits</b> only the highest offset below which every record has been handled, every
 *       {@code commitInterval} and on close: a restart never skips an unhandled record
 *       (at-least-once). The offsets handled beyond that point travel in the commit's metadata
 *       ({@link CompletedOffsets}), and whoever consumes the partition next skips them.</li>
 *   <li><b>Backpressure</b>: at {@code maxInFlight} unfinished records the consumer pauses its
 *       partitions and keeps polling (so the group does not evict it for exceeding
 *       {@code max.poll.interval.ms}); it resumes at three quarters.</li>
 *   <li><b>Rebalances</b> use the cooperative-sticky assignor. A partition being revoked is drained
 *       (up to the drain timeout) and committed before it is let go; a partition lost without warning
 *       is dropped uncommitted (its records in flight are handled again by the next owner).</li>
 *   <li><b>Partition growth</b>: a record fenced behind an earlier partition by
 *       {@link KafkaOrdoProducer} ({@link PartitionFence}) holds its partition, paused, until the
 *       records it follows are handled; the other partitions go on.</li>
 * </ul>
 *
 * <pre>{@code
 * try (RecordConsumer consumer = KafkaOrdoConsumer.builder("localhost:9092", "ledger", Serdes.string(), Serdes.string())
 *         .group("balances").ordering(Ordering.KEY).concurrency(64)
 *         .handler(r -> ledger.apply(r.key(), r.value())).start()) {
 *     ...
 * }
 * }</pre>
 *
 * @param <K> the key type handed to the handler
 * @param <V> the value type handed to the handler
 */
public final class KafkaOrdoConsumer<K, V> extends AbstractRecordConsumer<K, V> {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaOrdoConsumer.class);
    private static final Duration POLL = Duration.ofMillis(20);
    private static final AtomicLong CLIENTS = new AtomicLong();

    private final String topic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> deadLetters;
    private final long commitIntervalNanos;
    /** What this consumer committed per partition (offset, metadata); offsets only move forward. */
    private final Map<Integer, OffsetAndMetadata> committed = new ConcurrentHashMap<>();
    /**
     * Per partition, records fetched and not dispatched yet, in order: the handlers had no room for them,
     * or the first waits behind an earlier partition's records ({@link PartitionFence}). Such a partition
     * is paused (a poll's worth at most waits here).
     */
    private final Map<Integer, ArrayDeque<ConsumerRecord<byte[], byte[]>>> waiting = new HashMap<>();
    /** Partitions whose first waiting record waits for a fence, and since when (counted once per wait). */
    private final Map<Integer, Long> fenced = new HashMap<>();
    /** Fence waits already reported as stalls (poll thread). */
    private final Set<Integer> fenceStallsReported = new HashSet<>();
    /** The group's committed offsets of partitions that held records wait for (refreshed while some wait). */
    private final Map<Integer, Long> groupProgress = new HashMap<>();

    private long lastProgressRefresh;
    private final AtomicLong fenceWaits = new AtomicLong();
    /** Per assigned partition, its end as of the last fetch (poll thread writes, gauges read). */
    private final Map<Integer, Long> endOffsets = new ConcurrentHashMap<>();

    private final Map<Integer, Long> fetchLags = new ConcurrentHashMap<>();
    private final KafkaLagMeters lagMeters;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread poller;
    private volatile Set<Integer> assignment = Set.of();
    /** Whether the group has given this consumer its partitions at least once (awaitCaughtUp waits for it). */
    private volatile boolean settled;

    private volatile boolean paused;
    private volatile boolean crashed;
    private volatile Throwable failure;
    private volatile Duration closeTimeout = Duration.ofSeconds(30);

    private KafkaOrdoConsumer(Builder<K, V> b, ConsumerSettings<K, V> settings, String client) {
        super(settings, "ordo-kafka-" + client);
        this.topic = settings.topic();
        this.commitIntervalNanos = settings.commitInterval().toNanos();
        Properties props = new Properties();
        props.putAll(b.overrides);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.group());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, client);
        KafkaProducer<byte[], byte[]> dlq = null;
        try {
            dlq = settings.deadLetterTopic() == null
                    ? null
                    : new KafkaProducer<>(producerProperties(b), new ByteArraySerializer(), new ByteArraySerializer());
            this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        } catch (RuntimeException e) {
            if (dlq != null) {
                dlq.close(Duration.ZERO);
            }
            dispatcher.close(Duration.ZERO); // its handler threads started with it
            throw e;
        }
        this.deadLetters = dlq;
        this.poller = new Thread(this::pollLoop, "ordo-kafka-poll-" + client + "-" + topic);
        Tags tags = Tags.of("topic", topic, "group", settings.group(), "client", client);
        this.lagMeters = settings.registry() == null ? null : new KafkaLagMeters(settings.registry(), tags);
        if (settings.registry() != null) {
            bindMetrics(tags);
        }
    }

    /** A consumer of raw bytes: keys and values as they are in Kafka. */
    public static Builder<byte[], byte[]> builder(String bootstrapServers, String topic) {
        return new Builder<>(bootstrapServers, topic, Serdes.bytes(), Serdes.bytes());
    }

    /** A consumer whose handler gets keys and values through these deserializers ({@link KafkaSerdes} wraps Kafka's). */
    public static <K, V> Builder<K, V> builder(
            String bootstrapServers, String topic, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        return new Builder<>(bootstrapServers, topic, keyDeserializer, valueDeserializer);
    }

    /** Fence waits and backpressure pauses, besides every consumer's meters. */
    private void bindMetrics(Tags tags) {
        FunctionCounter.builder("ordo.consumer.fence.waits", fenceWaits, AtomicLong::get)
                .tags(tags)
                .description("times a partition waited for an earlier partition after the topic grew")
                .register(settings.registry());
        Gauge.builder("ordo.consumer.paused", this, c -> c.paused ? 1 : 0)
                .tags(tags)
                .description("1 while the partitions are paused for backpressure")
                .register(settings.registry());
        ConsumerMeters.bind(
                settings.registry(),
                dispatcher,
                "consumer-"
                        + tags.stream()
                                .filter(t -> t.getKey().equals("client"))
                                .findFirst()
                                .orElseThrow()
                                .getValue(),
                tags);
    }

    @Override
    public Set<Integer> assignment() {
        return assignment;
    }

    @Override
    public Lag lag() {
        return dispatcher.lag(p -> endOffsets.getOrDefault(p, -1L));
    }

    /** The offset committed for {@code partition} by this consumer, or -1 if it has committed none. */
    public long committedOffset(int partition) {
        OffsetAndMetadata o = committed.get(partition);
        return o == null ? -1 : o.offset();
    }

    /** The metadata of this consumer's last commit of {@code partition} (tests read the completed offsets in it). */
    String committedMetadata(int partition) {
        OffsetAndMetadata o = committed.get(partition);
        return o == null ? "" : o.metadata();
    }

    /**
     * Records that found their partition held because their key had moved there when the topic grew
     * and its earlier records in the old partition were not all handled yet ({@link PartitionFence}).
     */
    public long fenceWaits() {
        return fenceWaits.get();
    }

    /** Whether the consumer has paused its partitions for backpressure right now. */
    public boolean paused() {
        return paused;
    }

    /**
     * For tests: stops as a crash would: handlers already running finish, queued records are not
     * handled, nothing more is committed (also not on the way out of the group). Unlike a killed
     * process it leaves the group at once rather than after {@code session.timeout.ms}.
     */
    void crashForTest() {
        crashed = true;
        dispatcher.stopHandling();
        close();
    }

    /** Stops polling, lets in-flight records finish (at most {@code timeout}), commits and leaves the group. */
    @Override
    protected void shutdown(Duration timeout) {
        closeTimeout = timeout;
        running.set(false);
        consumer.wakeup();
        try {
            poller.join(timeout.toMillis() + TimeUnit.SECONDS.toMillis(30)); // and the commit and leaving
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failure().ifPresent(failed -> LOG.warn("consumer of {} had stopped after an error", topic, failed));
    }

    private static Properties producerProperties(Builder<?, ?> b) {
        Properties props = KafkaOrdoAdmin.connection(b.bootstrapServers, b.overrides);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return props;
    }

    /** Copies a record that failed every attempt to the dead-letter topic and waits for the broker's acknowledgement. */
    @Override
    protected void sendDeadLetter(String deadLetterTopic, byte[] key, byte[] value, Headers headers) throws Exception {
        ProducerRecord<byte[], byte[]> copy = new ProducerRecord<>(deadLetterTopic, key, value);
        for (dev.ordo.engine.Header h : headers) {
            copy.headers().add(h.key(), h.value());
        }
        deadLetters.send(copy).get(1, TimeUnit.MINUTES);
    }

    private KafkaOrdoConsumer<K, V> startPolling() {
        poller.start();
        return this;
    }

    private void pollLoop() {
        try {
            consumer.subscribe(List.of(topic), new Rebalancing());
            long lastCommit = System.nanoTime();
            while (running.get()) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(POLL);
                } catch (WakeupException e) {
                    break;
                }
                for (TopicPartition tp : records.partitions()) {
                    accept(tp.partition(), records.records(tp));
                }
                dispatchWaiting();
                applyBackpressure();
                trackLag();
                dispatcher.checkStall();
                reportFenceStalls();
                if (System.nanoTime() - lastCommit >= commitIntervalNanos) {
                    commit(consumer.assignment(), false);
                    lastCommit = System.nanoTime();
                }
            }
            if (!crashed) {
                dispatcher.close(closeTimeout); // lets every dispatched record that can finish finish
                commitOnClose();
            }
        } catch (RuntimeException e) {
            failed(e);
            LOG.error("consumer of {} stopped", topic, e);
            dispatcher.close(Duration.ZERO);
        } finally {
            consumer.close();
            if (deadLetters != null) {
                deadLetters.close();
            }
            assignment = Set.of();
        }
    }

    /**
     * The last commit. A rebalance under way (another member joining as this one leaves) refuses it; a
     * poll completes the rebalance, whose revocation commits what it takes away, and the commit is
     * tried again for what is left. Records polled meanwhile are not dispatched, so not committed.
     */
    private void commitOnClose() {
        for (int attempt = 1; ; attempt++) {
            try {
                commit(consumer.assignment(), true);
                return;
            } catch (RebalanceInProgressException e) {
                if (attempt == 5) {
                    LOG.warn(
                            "last commit of {} gave up after {} rebalances; records since the previous commit will "
                                    + "be handled again",
                            topic,
                            attempt);
                    return;
                }
                consumer.poll(POLL);
            } catch (CommitFailedException e) {
                LOG.warn(
                        "last commit of {} failed: the group moved on; records since the previous commit will be "
                                + "handled again",
                        topic,
                        e);
                return;
            }
        }
    }

    /** Queues a partition's polled records behind any that wait, and dispatches what may go. */
    private void accept(int partition, List<ConsumerRecord<byte[], byte[]>> records) {
        waiting.computeIfAbsent(partition, p -> new ArrayDeque<>()).addAll(records);
        dispatchWaiting(partition);
    }

    /**
     * Dispatches the partition's waiting records in order while the handlers have room and no fence
     * holds the next one; pauses the partition while some wait, resumes it once none does.
     */
    private void dispatchWaiting(int partition) {
        ArrayDeque<ConsumerRecord<byte[], byte[]>> queue = waiting.get(partition);
        List<RawRecord> batch = new ArrayList<>();
        long room = dispatcher.room();
        while (!queue.isEmpty() && batch.size() < room) {
            if (!fencePassed(queue.peek())) {
                if (fenced.putIfAbsent(partition, System.nanoTime()) == null) {
                    fenceWaits.incrementAndGet();
                }
                break;
            }
            fenced.remove(partition);
            fenceStallsReported.remove(partition);
            batch.add(raw(queue.poll()));
        }
        dispatcher.dispatch(partition, batch);
        TopicPartition tp = new TopicPartition(topic, partition);
        if (queue.isEmpty()) {
            waiting.remove(partition);
            if (!paused) {
                consumer.resume(List.of(tp));
            }
        } else {
            consumer.pause(List.of(tp)); // fetches nothing more of it meanwhile
        }
    }

    private static RawRecord raw(ConsumerRecord<byte[], byte[]> r) {
        Headers headers = Headers.empty();
        Header[] kafkaHeaders = r.headers().toArray();
        if (kafkaHeaders.length > 0) {
            List<dev.ordo.engine.Header> list = new ArrayList<>(kafkaHeaders.length);
            for (Header h : kafkaHeaders) {
                list.add(new dev.ordo.engine.Header(h.key(), h.value()));
            }
            headers = Headers.of(list);
        }
        return new RawRecord(r.partition(), r.offset(), r.timestamp(), r.key(), r.value(), headers);
    }

    /** Dispatches what waits and may go now: fences passed, room made by the handlers. */
    private void dispatchWaiting() {
        if (waiting.isEmpty()) {
            return;
        }
        if (!fenced.isEmpty()) {
            refreshGroupProgress();
        }
        for (int partition : List.copyOf(waiting.keySet())) {
            dispatchWaiting(partition);
        }
    }

    /**
     * A partition that has waited the stall timeout for the records it is fenced behind says so, once per
     * wait, naming what it waits for: never a silent stop.
     */
    private void reportFenceStalls() {
        long now = System.nanoTime();
        for (Map.Entry<Integer, Long> e : fenced.entrySet()) {
            int partition = e.getKey();
            if (now - e.getValue() >= settings.stallTimeout().toNanos() && fenceStallsReported.add(partition)) {
                for (PartitionFence.After after :
                        PartitionFence.of(waiting.get(partition).peek().headers())) {
                    LOG.warn(
                            "{}-{} waits for {}-{} to be handled up to offset {} (handled up to {}) since {} s: its "
                                    + "keys moved there when the topic grew and their earlier records come first",
                            topic,
                            partition,
                            topic,
                            after.partition(),
                            after.offset(),
                            progress(after.partition()),
                            TimeUnit.NANOSECONDS.toSeconds(now - e.getValue()));
                }
            }
        }
    }

    /** Whether every record {@code r} is fenced behind has been handled (always, unless ordering matters). */
    private boolean fencePassed(ConsumerRecord<byte[], byte[]> r) {
        if (settings.ordering() == Ordering.UNORDERED) {
            return true;
        }
        for (PartitionFence.After after : PartitionFence.of(r.headers())) {
            if (progress(after.partition()) < after.offset()) {
                return false;
            }
        }
        return true;
    }

    /** The offset below which every record of {@code partition} is known to be handled, by us or by the group. */
    private long progress(int partition) {
        return Math.max(
                Math.max(committedOffset(partition), groupProgress.getOrDefault(partition, 0L)),
                dispatcher.commitPoint(partition));
    }

    /** Reads the group's committed offsets of the partitions held records wait for, at most every 50 ms. */
    private void refreshGroupProgress() {
        long now = System.nanoTime();
        if (now - lastProgressRefresh < TimeUnit.MILLISECONDS.toNanos(50)) {
            return;
        }
        lastProgressRefresh = now;
        Set<TopicPartition> awaited = new HashSet<>();
        for (int partition : fenced.keySet()) {
            for (PartitionFence.After after :
                    PartitionFence.of(waiting.get(partition).peek().headers())) {
                awaited.add(new TopicPartition(topic, after.partition()));
            }
        }
        consumer.committed(awaited).forEach((tp, o) -> {
            if (o != null) {
                groupProgress.merge(tp.partition(), o.offset(), Math::max);
            }
        });
    }

    /** Pauses every assigned partition while too much is in flight (polling on, so the group keeps us). */
    private void applyBackpressure() {
        if (dispatcher.full()) {
            consumer.pause(consumer.assignment()); // again each time: newly assigned partitions come unpaused
            paused = true;
        } else if (paused && dispatcher.resumable()) {
            Set<TopicPartition> resumable = new HashSet<>(consumer.paused());
            resumable.removeIf(tp -> waiting.containsKey(tp.partition())); // those resume once their records went
            consumer.resume(resumable);
            paused = false;
        }
    }

    /** Each assigned partition's end and fetch lag from what the last fetch said (no request to the broker). */
    private void trackLag() {
        for (TopicPartition tp : consumer.assignment()) {
            consumer.currentLag(tp).ifPresent(fetchLag -> {
                long end = consumer.position(tp) + fetchLag;
                endOffsets.put(tp.partition(), end);
                fetchLags.put(tp.partition(), fetchLag);
                if (lagMeters != null) {
                    lagMeters.track(tp.partition(), this::committedLag, fetchLags);
                }
            });
        }
    }

    /** Records in {@code partition} not yet committed by this consumer, as of the last fetch. */
    private long committedLag(int partition) {
        Long end = endOffsets.get(partition);
        return end == null ? -1 : end - Math.max(0, committedOffset(partition));
    }

    /**
     * Commits, per partition, the offset after the highest contiguous handled record, with the offsets
     * handled beyond it in the metadata, if either changed.
     */
    private void commit(Collection<TopicPartition> partitions, boolean sync) {
        if (crashed) {
            return; // a crashed process commits nothing
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            long next = dispatcher.commitPoint(tp.partition());
            if (next < 0) {
                commitIdlePosition(tp, offsets); // nothing dispatched since it was assigned
                continue;
            }
            long[] beyond = dispatcher.completedBeyond(tp.partition()).stream()
                    .mapToLong(Long::longValue)
                    .toArray();
            OffsetAndMetadata commit =
                    new OffsetAndMetadata(next, CompletedOffsets.encode(next, beyond, CompletedOffsets.MAX_CHARS));
            OffsetAndMetadata last = committed.get(tp.partition());
            if (last == null || next > last.offset() || !commit.metadata().equals(last.metadata())) {
                offsets.put(tp, commit);
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        if (sync) {
            consumer.commitSync(offsets);
            offsets.forEach(this::committedLocally);
        } else {
            consumer.commitAsync(offsets, (done, error) -> {
                if (error != null) {
                    LOG.debug("commit of {} failed; the next one covers it", done, error);
                } else {
                    done.forEach(this::committedLocally);
                }
            });
        }
    }

    /**
     * A partition with nothing dispatched since it was assigned commits its position if that is ahead
     * of the commit (a group starting at {@code latest}): records fenced behind this partition after a
     * growth wait for its committed offset. Not while records fetched from it wait.
     */
    private void commitIdlePosition(TopicPartition tp, Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (waiting.containsKey(tp.partition())) {
            return;
        }
        long position;
        try {
            position = consumer.position(tp, Duration.ZERO);
        } catch (TimeoutException unknownYet) {
            return;
        }
        if (position > committedOffset(tp.partition())) {
            offsets.put(tp, new OffsetAndMetadata(position, "")); // nothing handled beyond it: no completed offsets
        }
    }

    private void committedLocally(TopicPartition tp, OffsetAndMetadata o) {
        committed.merge(tp.partition(), o, (old, now) -> now.offset() >= old.offset() ? now : old);
    }

    private void forget(int partition) {
        dispatcher.release(partition);
        waiting.remove(partition); // not dispatched, so not committed: the next owner fetches them again
        fenced.remove(partition);
        fenceStallsReported.remove(partition);
        endOffsets.remove(partition);
        fetchLags.remove(partition);
        if (lagMeters != null) {
            lagMeters.forget(partition);
        }
        // What was committed stays known: offsets only move forward, whoever owns the partition next.
    }

    /** Hands partitions over cleanly: drain, commit, then let go. Runs on the poll thread, inside poll(). */
    private final class Rebalancing implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (crashed) {
                return;
            }
            for (TopicPartition tp : partitions) {
                try {
                    dispatcher.drain(tp.partition());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            commit(partitions, true);
            partitions.forEach(tp -> forget(tp.partition()));
            assignment = partitionsOf(consumer.assignment(), partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // Kafka positions each at its committed offset; what was handled beyond it is in the metadata.
            Map<TopicPartition, OffsetAndMetadata> commits =
                    partitions.isEmpty() ? Map.of() : consumer.committed(Set.copyOf(partitions));
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata o = commits.get(tp);
                NavigableSet<Long> handledBefore = Collections.emptyNavigableSet();
                if (o != null) {
                    committedLocally(tp, o);
                    handledBefore = CompletedOffsets.decode(o.offset(), o.metadata());
                }
                if (!dispatcher.isAssigned(tp.partition())) {
                    dispatcher.assign(tp.partition(), o == null ? 0 : o.offset(), handledBefore);
                }
            }
            assignment = partitionsOf(consumer.assignment(), List.of());
            settled(true);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            partitions.forEach(tp -> forget(tp.partition())); // no commit: the group has moved on
            assignment = partitionsOf(consumer.assignment(), partitions);
        }

        private Set<Integer> partitionsOf(Set<TopicPartition> assigned, Collection<TopicPartition> leaving) {
            Set<Integer> now = new HashSet<>();
            for (TopicPartition tp : assigned) {
                if (!leaving.contains(tp)) {
                    now.add(tp.partition());
                }
            }
            return Set.copyOf(now);
        }
    }

    /**
     * Configures a {@link KafkaOrdoConsumer}: the settings shared with the embedded engine's consumer
     * ({@link ConsumerBuilder}; group and handler required) and Kafka client properties.
     */
    public static final class Builder<K, V> extends ConsumerBuilder<Builder<K, V>, K, V> {
        private final String bootstrapServers;
        private final Properties overrides = new Properties();

        private Builder(String bootstrapServers, String topic, Deserializer<K> keys, Deserializer<V> values) {
            super(topic, keys, values);
            this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers must not be null");
        }

        @Override
        protected Builder<K, V> self() {
            return this;
        }

        /** Any other Kafka consumer setting (auto-commit and the assignor are Ordo's and cannot be changed). */
        public Builder<K, V> property(String name, String value) {
            overrides.put(
                    Objects.requireNonNull(name, "name must not be null"),
                    Objects.requireNonNull(value, "value must not be null"));
            return this;
        }

        /** Kafka consumer settings, as {@link #property} one by one. */
        public Builder<K, V> properties(Map<?, ?> properties) {
            Objects.requireNonNull(properties, "properties must not be null")
                    .forEach((name, value) -> property(String.valueOf(name), String.valueOf(value)));
            return this;
        }

        /**
         * Creates the consumer, joins the group and starts polling.
         *
         * @throws IllegalArgumentException if the dead-letter topic does not exist (and is not to be created)
         */
        @Override
        public KafkaOrdoConsumer<K, V> start() {
            ConsumerSettings<K, V> settings = settings();
            String dlq = settings.deadLetterTopic();
            if (dlq != null) {
                try (KafkaOrdoAdmin admin = KafkaOrdoAdmin.create(bootstrapServers, overrides)) {
                    if (!admin.exists(dlq)) {
                        if (!settings.createDeadLetterTopic()) {
                            throw new IllegalArgumentException("deadLetter topic '" + dlq + "' does not exist; create"
                                    + " it, or use deadLetter(topic, true) to have the consumer create it");
                        }
                        admin.createTopic(dlq, 1, (short) -1);
                    }
                }
            }
            String client = overrides.getProperty(
                    ConsumerConfig.CLIENT_ID_CONFIG, "ordo-" + settings.group() + "-" + CLIENTS.incrementAndGet());
            return new KafkaOrdoConsumer<>(this, settings, client).startPolling();
        }
    }
}
