package dev.ordo.kafka;

import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.OrdoRecord;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.exec.CompletionTracker;
import dev.ordo.exec.KeyOrderedExecutor;
import dev.ordo.metrics.OrdoMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
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
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka consumer in a consumer group with the embedded engine's ordering modes
 * ({@link Ordering#PARTITION}, {@link Ordering#KEY}, {@link Ordering#UNORDERED}): in {@code KEY}
 * mode the records of one partition run in parallel across keys and in log order within a key, the
 * job Confluent's Parallel Consumer does.
 *
 * <ul>
 *   <li><b>Commits</b> only the highest offset below which every record has been handled (the
 *       {@link CompletionTracker}'s safe point), every {@code commitInterval} and on close: a
 *       restart never skips an unhandled record (at-least-once). The offsets handled beyond that
 *       point travel in the commit's metadata ({@link CompletedOffsets}), and whoever consumes the
 *       partition next skips them: after a crash only records that were really unfinished, or
 *       handled after the last commit, are handled again.</li>
 *   <li><b>Backpressure</b>: beyond {@code maxInFlight} unfinished records the consumer pauses its
 *       partitions and keeps polling (so the group does not evict it for exceeding
 *       {@code max.poll.interval.ms}); it resumes at half.</li>
 *   <li><b>Rebalances</b> use the cooperative-sticky assignor. A partition being revoked is drained
 *       (its in-flight records finish) and committed before it is let go, so the next owner neither
 *       repeats nor skips its records; a partition lost without warning is dropped uncommitted (its
 *       in-flight records may then be handled again by the next owner).</li>
 *   <li><b>Failures</b> retry with backoff while the key stays blocked ({@link Builder#retry}); what
 *       still fails goes to the {@link Builder#deadLetter dead-letter topic} with the error in a
 *       header, and the group carries on.</li>
 *   <li><b>Partition growth</b>: a record fenced behind an earlier partition by
 *       {@link KafkaOrdoProducer} ({@link PartitionFence}) holds its partition, paused, until the
 *       records it follows are handled; the other partitions go on ({@code PARTITION} and
 *       {@code KEY} modes).</li>
 * </ul>
 *
 * <pre>{@code
 * KafkaOrdoConsumer consumer = KafkaOrdoConsumer.builder("localhost:9092", "ledger").group("balances")
 *         .ordering(Ordering.KEY).concurrency(64).handler(r -> ledger.apply(r)).start();
 * }</pre>
 */
public final class KafkaOrdoConsumer implements RecordConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaOrdoConsumer.class);
    private static final Duration POLL = Duration.ofMillis(20);
    private static final AtomicLong CLIENTS = new AtomicLong();
    private static final long DRAIN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final String topic;
    private final Ordering ordering;
    private final Consumer<? super ConsumedRecord> handler;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KeyOrderedExecutor<Object> executor;
    private final CompletionTracker tracker = new CompletionTracker();
    private final long maxInFlight;
    private final long commitIntervalNanos;
    /** Each assignment of a partition gets a fresh tracker slot, so completions from before a hand-over are told apart. */
    private final Map<Integer, Integer> slotOf = new HashMap<>();

    private final AtomicInteger nextSlot = new AtomicInteger();
    private final Map<Integer, AtomicLong> inFlightPerSlot = new ConcurrentHashMap<>();
    /** The first offset dispatched in each slot: the commit point while nothing contiguous has finished. */
    private final Map<Integer, Long> slotStart = new HashMap<>();

    private final AtomicLong inFlight = new AtomicLong();
    private final Object idle = new Object();
    private final Map<Integer, Long> committed = new ConcurrentHashMap<>();
    private final Map<Integer, String> committedMetadata = new ConcurrentHashMap<>();
    /** Offsets a previous owner handled beyond its commit (from the commit's metadata): not handled again. */
    private final Map<Integer, NavigableSet<Long>> alreadyHandled = new HashMap<>();

    private final AtomicLong skipped = new AtomicLong();
    private volatile boolean crashed;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread poller;
    private final String deadLetterTopic;
    private final KafkaProducer<byte[], byte[]> deadLetters;
    private volatile Throwable failure;
    private volatile boolean paused;
    /** Partitions held at a record fenced behind an earlier partition ({@link PartitionFence}): the records fetched since, in order. */
    private final Map<Integer, ArrayDeque<ConsumerRecord<byte[], byte[]>>> held = new HashMap<>();
    /** The group's committed offsets of partitions that held records wait for (refreshed while some wait). */
    private final Map<Integer, Long> groupProgress = new HashMap<>();

    private long lastProgressRefresh;
    private final AtomicLong fenceWaits = new AtomicLong();
    private final MeterRegistry registry;
    private final Tags tags;
    /** Per assigned partition, updated by the poll thread: {end - committed, end - fetched}. */
    private final Map<Integer, long[]> lags = new ConcurrentHashMap<>();

    private final Map<Integer, List<Meter>> partitionMeters = new HashMap<>();

    /**
     * A record as handed to the handler: where it came from, its Kafka timestamp (the event time
     * when the producer gave one), key, value and headers.
     */
    public record ConsumedRecord(
            String topic, int partition, long offset, long timestamp, byte[] key, byte[] value, Headers headers)
            implements OrdoRecord {

        /** What ordo-core's stages need from this record: source, sequence, vector clock ({@link OrdoHeaders}). */
        public OrdoHeaders ordoHeaders() {
            return OrdoHeaders.readFrom(headers);
        }
    }

    private KafkaOrdoConsumer(Builder b) {
        this.topic = b.topic;
        this.ordering = b.getOrdering();
        this.handler = b.getHandler();
        this.maxInFlight = b.getMaxInFlight();
        this.commitIntervalNanos = b.getCommitInterval().toNanos();
        Properties props = new Properties();
        props.putAll(b.overrides);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, b.getGroup());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "ordo-" + b.getGroup() + "-" + CLIENTS.incrementAndGet());
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.executor = KeyOrderedExecutor.builder()
                .concurrency(b.getConcurrency())
                // Bounded by pausing the partitions instead: the poll thread must never block here.
                .maxInFlight(Long.MAX_VALUE / 2)
                .retry(b.getRetry())
                .threadName("ordo-kafka-" + b.getGroup())
                .deadLetter((key, task, error, attempts) -> deadLetter(((HandlerTask) task).record, error, attempts))
                .build();
        this.deadLetterTopic = b.getDeadLetterTopic();
        this.deadLetters = b.getDeadLetterTopic() == null
                ? null
                : new KafkaProducer<>(producerProperties(b), new ByteArraySerializer(), new ByteArraySerializer());
        this.poller = new Thread(this::pollLoop, "ordo-kafka-poll-" + b.getGroup() + "-" + topic);
        this.registry = b.getRegistry();
        String client = props.getProperty(ConsumerConfig.CLIENT_ID_CONFIG);
        this.tags = Tags.of("topic", topic, "group", b.getGroup(), "client", client);
        if (registry != null) {
            bindMetrics(client);
        }
    }

    /**
     * The consumer's own meters (tagged topic, group and client): fence waits, records skipped as
     * handled by an earlier owner, whether it is paused, and the handler stage's meters; the
     * per-partition lag gauges come and go with the assignment ({@link #trackLag}).
     */
    private void bindMetrics(String client) {
        FunctionCounter.builder("ordo.consumer.fence.waits", fenceWaits, AtomicLong::get)
                .tags(tags)
                .description("times a partition waited for an earlier partition after the topic grew")
                .register(registry);
        FunctionCounter.builder("ordo.consumer.skipped", skipped, AtomicLong::get)
                .tags(tags)
                .description("records skipped because an earlier owner had handled them")
                .register(registry);
        Gauge.builder("ordo.consumer.paused", this, c -> c.paused ? 1 : 0)
                .tags(tags)
                .description("1 while the partitions are paused for backpressure")
                .register(registry);
        OrdoMetrics.executor(executor, "consumer-" + client, "topic", topic).bindTo(registry);
    }

    /**
     * Updates each assigned partition's lag from what the last fetch said of the log's end (no
     * request to the broker): {@code ordo.consumer.lag} counts records not yet committed by the
     * group, {@code ordo.consumer.fetch.lag} records not yet fetched. Poll thread only.
     */
    private void trackLag() {
        for (TopicPartition tp : consumer.assignment()) {
            OptionalLong fetchLag = consumer.currentLag(tp);
            if (fetchLag.isEmpty()) {
                continue; // no fetch response yet
            }
            long end = consumer.position(tp) + fetchLag.getAsLong();
            int partition = tp.partition();
            long[] lag = lags.computeIfAbsent(partition, p -> new long[2]); // read by gauges: two plain longs suffice
            lag[0] = end - committed.getOrDefault(partition, 0L);
            lag[1] = fetchLag.getAsLong();
            if (registry != null && !partitionMeters.containsKey(partition)) {
                Tags partitionTags = tags.and("partition", String.valueOf(partition));
                partitionMeters.put(
                        partition,
                        List.of(
                                Gauge.builder("ordo.consumer.lag", lags, l -> lagOf(l, partition, 0))
                                        .tags(partitionTags)
                                        .description("records in the partition not yet committed by the group")
                                        .register(registry),
                                Gauge.builder("ordo.consumer.fetch.lag", lags, l -> lagOf(l, partition, 1))
                                        .tags(partitionTags)
                                        .description("records in the partition not yet fetched")
                                        .register(registry)));
            }
        }
    }

    private static double lagOf(Map<Integer, long[]> lags, int partition, int which) {
        long[] lag = lags.get(partition);
        return lag == null ? Double.NaN : lag[which];
    }

    /** Records of {@code partition} in the log not yet committed by the group, as of the last fetch (-1 if not known). */
    public long lag(int partition) {
        long[] lag = lags.get(partition);
        return lag == null ? -1 : lag[0];
    }

    public static Builder builder(String bootstrapServers, String topic) {
        return new Builder(bootstrapServers, topic);
    }

    /** The offset committed for {@code partition} by this consumer, or -1 if it has committed none. */
    public long committedOffset(int partition) {
        return committed.getOrDefault(partition, -1L);
    }

    /** Records skipped because an earlier owner of their partition had handled them (recorded with its commit). */
    public long skippedAsAlreadyHandled() {
        return skipped.get();
    }

    /** The metadata of this consumer's last commit of {@code partition} (tests read the completed offsets in it). */
    String committedMetadata(int partition) {
        return committedMetadata.getOrDefault(partition, "");
    }

    /**
     * For tests: stops as a crash would: handlers already running finish, queued records are not
     * handled, nothing more is committed (also not on the way out of the group). Unlike a killed
     * process it leaves the group at once rather than after {@code session.timeout.ms}.
     */
    void crashForTest() {
        crashed = true;
        close();
    }

    /** The handler stage's counters (in flight, peak, succeeded, retried, dead-lettered). */
    public dev.ordo.exec.ExecutorStats handlerStats() {
        return executor.stats();
    }

    /** Records handed to the handler and not yet finished. */
    public long inFlight() {
        return inFlight.get();
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

    /** Stops polling, lets in-flight records finish, commits and leaves the group. */
    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        try {
            poller.join(TimeUnit.MINUTES.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Throwable failed = failure;
        if (failed != null) {
            LOG.warn("consumer of {} had stopped after an error", topic, failed);
        }
    }

    private static Properties producerProperties(Builder b) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return props;
    }

    /**
     * Parks a record that failed every attempt in the dead-letter topic, with the error and where it
     * came from in headers, and waits for the broker's acknowledgement: only then does the record
     * count as done, so a crash before it means the record is handled again, never lost.
     */
    private void deadLetter(ConsumedRecord r, Throwable error, int attempts) throws Exception {
        if (deadLetters == null) {
            LOG.error(
                    "record {}-{}@{} failed {} attempts and is skipped (no dead-letter topic)",
                    topic,
                    r.partition(),
                    r.offset(),
                    attempts,
                    error);
            return;
        }
        ProducerRecord<byte[], byte[]> parked = new ProducerRecord<>(deadLetterTopic, r.key(), r.value());
        parked.headers().add("ordo.error", String.valueOf(error).getBytes(StandardCharsets.UTF_8));
        parked.headers()
                .add("ordo.origin", (topic + "-" + r.partition() + "@" + r.offset()).getBytes(StandardCharsets.UTF_8));
        parked.headers().add("ordo.attempts", String.valueOf(attempts).getBytes(StandardCharsets.UTF_8));
        deadLetters.send(parked).get(1, TimeUnit.MINUTES);
    }

    private KafkaOrdoConsumer startPolling() {
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
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    accept(r);
                }
                releaseHeld();
                applyBackpressure();
                trackLag();
                if (System.nanoTime() - lastCommit >= commitIntervalNanos) {
                    commit(consumer.assignment(), false);
                    lastCommit = System.nanoTime();
                }
            }
            if (!crashed) {
                executor.close(); // lets every dispatched record finish
                commit(consumer.assignment(), true);
            }
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("consumer of {} stopped", topic, e);
            executor.close();
        } finally {
            consumer.close();
            if (deadLetters != null) {
                deadLetters.close();
            }
        }
    }

    /** Dispatches {@code r}, or holds its partition if {@code r} must wait for an earlier partition. */
    private void accept(ConsumerRecord<byte[], byte[]> r) {
        ArrayDeque<ConsumerRecord<byte[], byte[]>> waiting = held.get(r.partition());
        if (waiting != null) {
            waiting.add(r);
        } else if (fencePassed(r)) {
            dispatch(r);
        } else {
            waiting = new ArrayDeque<>();
            waiting.add(r);
            held.put(r.partition(), waiting);
            fenceWaits.incrementAndGet();
            consumer.pause(List.of(new TopicPartition(topic, r.partition()))); // fetches nothing more of it meanwhile
        }
    }

    /** Dispatches held records whose fences have been passed, in order, and resumes partitions left with none. */
    private void releaseHeld() {
        if (held.isEmpty()) {
            return;
        }
        refreshGroupProgress();
        for (var it = held.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, ArrayDeque<ConsumerRecord<byte[], byte[]>>> e = it.next();
            ArrayDeque<ConsumerRecord<byte[], byte[]>> waiting = e.getValue();
            while (!waiting.isEmpty() && fencePassed(waiting.peek())) {
                dispatch(waiting.poll());
            }
            if (waiting.isEmpty()) {
                it.remove();
                if (!paused) {
                    consumer.resume(List.of(new TopicPartition(topic, e.getKey())));
                }
            }
        }
    }

    /** Whether every record {@code r} is fenced behind has been handled (always, unless ordering matters). */
    private boolean fencePassed(ConsumerRecord<byte[], byte[]> r) {
        if (ordering == Ordering.UNORDERED) {
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
        long known = Math.max(committed.getOrDefault(partition, 0L), groupProgress.getOrDefault(partition, 0L));
        Integer slot = slotOf.get(partition);
        if (slot != null) {
            long done = tracker.highestContiguousCompleted(slot);
            known = Math.max(known, done >= 0 ? done + 1 : slotStart.get(slot));
        }
        return known;
    }

    /** Reads the group's committed offsets of the partitions held records wait for, at most every 50 ms. */
    private void refreshGroupProgress() {
        long now = System.nanoTime();
        if (now - lastProgressRefresh < TimeUnit.MILLISECONDS.toNanos(50)) {
            return;
        }
        lastProgressRefresh = now;
        Set<TopicPartition> awaited = new java.util.HashSet<>();
        for (ArrayDeque<ConsumerRecord<byte[], byte[]>> waiting : held.values()) {
            for (PartitionFence.After after : PartitionFence.of(waiting.peek().headers())) {
                awaited.add(new TopicPartition(topic, after.partition()));
            }
        }
        consumer.committed(awaited).forEach((tp, o) -> {
            if (o != null) {
                groupProgress.merge(tp.partition(), o.offset(), Math::max);
            }
        });
    }

    private void dispatch(ConsumerRecord<byte[], byte[]> r) {
        int partition = r.partition();
        int slot = slotOf.computeIfAbsent(partition, p -> nextSlot.getAndIncrement());
        slotStart.putIfAbsent(slot, r.offset());
        tracker.register(slot, r.offset());
        NavigableSet<Long> handledBefore = alreadyHandled.get(partition);
        if (handledBefore != null && handledBefore.remove(r.offset())) {
            tracker.complete(slot, r.offset()); // counts towards the commit point, not handled twice
            skipped.incrementAndGet();
            return;
        }
        AtomicLong slotInFlight = inFlightPerSlot.computeIfAbsent(slot, s -> new AtomicLong());
        slotInFlight.incrementAndGet();
        inFlight.incrementAndGet();
        Object key = ordering.executionKey(partition, r.key(), r.offset());
        ConsumedRecord consumed =
                new ConsumedRecord(r.topic(), partition, r.offset(), r.timestamp(), r.key(), r.value(), r.headers());
        executor.submit(key, new HandlerTask(consumed)).whenComplete((outcome, error) -> {
            try {
                tracker.complete(slot, r.offset());
            } catch (IllegalArgumentException forgotten) {
                // the partition was lost meanwhile: its new owner handles it again
            }
            inFlight.decrementAndGet();
            if (slotInFlight.decrementAndGet() == 0) {
                synchronized (idle) {
                    idle.notifyAll();
                }
            }
        });
    }

    /** Pauses every assigned partition while too much is in flight (polling on, so the group keeps us), resumes at half. */
    private void applyBackpressure() {
        long now = inFlight.get();
        if (now >= maxInFlight) {
            consumer.pause(consumer.assignment()); // again each time: newly assigned partitions come unpaused
            paused = true;
        } else if (paused && now <= maxInFlight / 2) {
            Set<TopicPartition> resumable = new java.util.HashSet<>(consumer.paused());
            resumable.removeIf(tp -> held.containsKey(tp.partition())); // those wait for an earlier partition
            consumer.resume(resumable);
            paused = false;
        }
    }

    /**
     * Commits, per partition, the offset after the highest contiguous handled record, with the
     * offsets handled beyond it in the metadata, if either changed.
     */
    private void commit(Collection<TopicPartition> partitions, boolean sync) {
        if (crashed) {
            return; // a crashed process commits nothing (the records it skipped count as complete)
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            Integer slot = slotOf.get(tp.partition());
            if (slot == null) {
                commitIdlePosition(tp, offsets);
                continue; // nothing dispatched since it was assigned
            }
            long done = tracker.highestContiguousCompleted(slot);
            long next = done >= 0 ? done + 1 : slotStart.get(slot);
            // Handled beyond the commit point: by us, or by the previous owner and not yet reached by us.
            NavigableSet<Long> beyond = new java.util.TreeSet<>();
            for (long o : tracker.completedAbove(slot, 1_000)) {
                beyond.add(o);
            }
            beyond.addAll(alreadyHandled.getOrDefault(tp.partition(), java.util.Collections.emptyNavigableSet()));
            String metadata = CompletedOffsets.encode(
                    next, beyond.stream().mapToLong(Long::longValue).toArray(), CompletedOffsets.MAX_CHARS);
            if (next > committed.getOrDefault(tp.partition(), -1L)
                    || !metadata.equals(committedMetadata.get(tp.partition()))) {
                offsets.put(tp, new OffsetAndMetadata(next, metadata));
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
                    LOG.warn("commit of {} failed; the next one covers it", done, error);
                } else {
                    done.forEach(this::committedLocally);
                }
            });
        }
    }

    /**
     * A partition with nothing dispatched since it was assigned commits its position if that is ahead
     * of the commit (a group starting at {@code latest}): records fenced behind this partition after a
     * growth wait for its committed offset. Not while records fetched from it are held.
     */
    private void commitIdlePosition(TopicPartition tp, Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (held.containsKey(tp.partition())) {
            return;
        }
        long position;
        try {
            position = consumer.position(tp, Duration.ZERO);
        } catch (org.apache.kafka.common.errors.TimeoutException unknownYet) {
            return;
        }
        if (position > committed.getOrDefault(tp.partition(), -1L)) {
            offsets.put(tp, new OffsetAndMetadata(position, "")); // nothing handled beyond it: no completed offsets
        }
    }

    private void committedLocally(TopicPartition tp, OffsetAndMetadata o) {
        if (o.offset() >= committed.getOrDefault(tp.partition(), -1L)) {
            committed.put(tp.partition(), o.offset());
            committedMetadata.put(tp.partition(), o.metadata());
        }
    }

    /** Waits until the records in flight for {@code partition} have finished. */
    private void drain(int partition) {
        Integer slot = slotOf.get(partition);
        AtomicLong slotInFlight = slot == null ? null : inFlightPerSlot.get(slot);
        if (slotInFlight == null) {
            return;
        }
        long deadline = System.nanoTime() + DRAIN_TIMEOUT_NANOS;
        synchronized (idle) {
            while (slotInFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.warn(
                            "partition {}-{} handed over with {} records still running",
                            topic,
                            partition,
                            slotInFlight.get());
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(idle, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void forget(int partition) {
        alreadyHandled.remove(partition);
        held.remove(partition); // not dispatched, so not committed: the next owner fetches them again
        lags.remove(partition);
        List<Meter> meters = partitionMeters.remove(partition);
        if (meters != null) {
            meters.forEach(registry::remove);
        }
        Integer slot = slotOf.remove(partition);
        if (slot != null) {
            tracker.forget(slot);
            inFlightPerSlot.remove(slot);
            slotStart.remove(slot);
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
                drain(tp.partition());
            }
            commit(partitions, true);
            partitions.forEach(tp -> forget(tp.partition()));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // Kafka positions each at its committed offset; what was handled beyond it is in the metadata.
            if (partitions.isEmpty()) {
                return;
            }
            consumer.committed(Set.copyOf(partitions)).forEach((tp, o) -> {
                if (o != null) {
                    committedLocally(tp, o);
                    alreadyHandled.put(tp.partition(), CompletedOffsets.decode(o.offset(), o.metadata()));
                }
            });
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            partitions.forEach(tp -> forget(tp.partition())); // no commit: the group has moved on
        }
    }

    /** The handler call for one record. */
    private final class HandlerTask implements KeyOrderedExecutor.Task {
        final ConsumedRecord record;

        HandlerTask(ConsumedRecord record) {
            this.record = record;
        }

        @Override
        public void run() {
            if (crashed) {
                return; // a crashed process handles nothing more (tests only)
            }
            handler.accept(record);
        }
    }

    /**
     * Configures a {@link KafkaOrdoConsumer}: the settings shared with the embedded engine's consumer
     * ({@link ConsumerBuilder}; group and handler required) and Kafka client properties.
     */
    public static final class Builder extends ConsumerBuilder<Builder, ConsumedRecord> {
        private final String bootstrapServers;
        private final String topic;
        private final Properties overrides = new Properties();

        private Builder(String bootstrapServers, String topic) {
            this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers must not be null");
            this.topic = Objects.requireNonNull(topic, "topic must not be null");
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** Any other Kafka consumer setting (auto-commit and the assignor are Ordo's and cannot be changed). */
        public Builder property(String name, String value) {
            overrides.put(
                    Objects.requireNonNull(name, "name must not be null"),
                    Objects.requireNonNull(value, "value must not be null"));
            return this;
        }

        /** Creates the consumer, joins the group and starts polling. */
        public KafkaOrdoConsumer start() {
            requireComplete();
            return new KafkaOrdoConsumer(this).startPolling();
        }
    }
}
