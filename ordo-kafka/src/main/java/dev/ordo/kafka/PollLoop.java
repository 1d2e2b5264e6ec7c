package dev.ordo.kafka;

import dev.ordo.engine.Headers;
import dev.ordo.engine.core.ConsumerSettings;
import dev.ordo.engine.core.RawRecord;
import dev.ordo.engine.core.RecordDispatcher;
import java.io.IOException;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll thread of a {@link KafkaOrdoConsumer}: it polls, hands the records to the
 * {@link RecordDispatcher} while the handlers have room and no {@link PartitionFence} holds them (a
 * partition whose records wait is paused), pauses every partition for backpressure, commits at the
 * commit interval and on close, and hands partitions over through its rebalance listener. Its state is
 * the poll thread's, but for what the consumer's accessors read (volatile or concurrent).
 */
final class PollLoop {

    /** Under the consumer's name: what operators see logged is the consumer's. */
    private static final Logger LOG = LoggerFactory.getLogger(KafkaOrdoConsumer.class);
    /** The longest a poll waits for records. */
    static final Duration POLL = Duration.ofMillis(20);

    private final String topic;
    private final ConsumerSettings<?, ?> settings;
    private final RecordDispatcher<?, ?> dispatcher;
    private final KafkaConsumer<byte[], byte[]> consumer;
    /** Closed with the consumer when the loop ends, once the handlers that send to it are done. */
    private final KafkaProducer<byte[], byte[]> deadLetters;

    private final KafkaLagMeters lagMeters;
    /** Under KIP-848, whether an empty assignment is the group's decision; null under the classic protocol. */
    private final EmptyAssignmentProbe emptyAssignmentProbe;
    /** An empty assignment came that may be one not computed yet (poll thread). */
    private boolean emptyAssignmentUnsure;
    /** Told that the group has given this consumer its partitions. */
    private final Consumer<Boolean> settled;
    /** Told why polling stopped before close. */
    private final Consumer<Throwable> failed;

    private final long commitIntervalNanos;
    private final OffsetCommits commits;
    /** With an application state: it holds the offsets, and the consumer reads every partition itself; else null. */
    private final StateCommits stateCommits;

    /**
     * Per partition, records fetched and not dispatched yet, in order: the handlers had no room for them,
     * or the first waits behind an earlier partition's records ({@link PartitionFence}). Such a partition
     * is paused (a poll's worth at most waits here).
     */
    private final Map<Integer, ArrayDeque<ConsumerRecord<byte[], byte[]>>> waiting = new HashMap<>();
    /** The waiting partitions held at a partition fence. */
    private final FenceWaits fences;
    /** Per assigned partition, its end as of the last fetch (poll thread writes, gauges read). */
    private final Map<Integer, Long> endOffsets = new ConcurrentHashMap<>();
    /** Each assigned partition's fetch position after the last poll (written by the poll thread). */
    private final Map<Integer, Long> positions = new ConcurrentHashMap<>();
    /** The offset after the last record polled of each partition, or where its ownership began. */
    private final Map<Integer, Long> recordsEnd = new ConcurrentHashMap<>();

    private final Map<Integer, Long> fetchLags = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile Set<Integer> assignment = Set.of();

    private volatile boolean paused;
    private volatile Duration closeTimeout = Duration.ofSeconds(30);

    /**
     * @param deadLetters the dead-letter producer, or null; closed when the loop ends
     * @param lagMeters the per-partition lag gauges, or null without a meter registry
     * @param emptyAssignmentProbe under KIP-848's protocol, tells a final empty assignment from one not
     *     computed yet; null under the classic protocol, whose assignments come complete; closed with the loop
     * @param stateCommits the commits into an application state, or null to commit to the group
     * @param settled told that the group has given this consumer its partitions
     * @param failed told why polling stopped before close
     */
    PollLoop(
            KafkaConsumer<byte[], byte[]> consumer,
            KafkaProducer<byte[], byte[]> deadLetters,
            ConsumerSettings<?, ?> settings,
            RecordDispatcher<?, ?> dispatcher,
            KafkaLagMeters lagMeters,
            EmptyAssignmentProbe emptyAssignmentProbe,
            StateCommits stateCommits,
            String threadName,
            Consumer<Boolean> settled,
            Consumer<Throwable> failed) {
        this.consumer = consumer;
        this.deadLetters = deadLetters;
        this.settings = settings;
        this.topic = settings.topic();
        this.dispatcher = dispatcher;
        this.lagMeters = lagMeters;
        this.emptyAssignmentProbe = emptyAssignmentProbe;
        this.settled = settled;
        this.failed = failed;
        this.commitIntervalNanos = settings.commitInterval().toNanos();
        this.commits = new OffsetCommits(topic, consumer, dispatcher, waiting::containsKey);
        this.stateCommits = stateCommits;
        this.fences = new FenceWaits(
                settings,
                dispatcher,
                commits,
                consumer,
                p -> waiting.get(p).peek().headers());
        this.thread = new Thread(this::run, threadName);
    }

    void start() {
        thread.start();
    }

    /** Stops polling, lets in-flight records finish (at most {@code timeout}), commits and leaves the group. */
    void stop(Duration timeout) throws InterruptedException {
        closeTimeout = timeout;
        running.set(false);
        consumer.wakeup();
        thread.join(timeout.toMillis() + TimeUnit.SECONDS.toMillis(30)); // and the commit and leaving
    }

    /** From now on nothing is committed, also not on the way out of the group (a crash, for tests). */
    void crash() {
        commits.crash();
        if (stateCommits != null) {
            stateCommits.crash();
        }
    }

    /** The partitions assigned now. */
    Set<Integer> assignment() {
        return assignment;
    }

    /**
     * The end of {@code partition} as of the last fetch, or -1 if not known; once the consumer has read to
     * that end, the offset after its last record: the offsets beyond hold no record (a transaction's
     * commit marker), and would otherwise count as lag for ever.
     */
    long endOffset(int partition) {
        long end = endOffsets.getOrDefault(partition, -1L);
        Long position = positions.get(partition);
        Long records = recordsEnd.get(partition);
        return position != null && records != null && position >= end ? Math.min(end, records) : end;
    }

    /** What this consumer committed. */
    OffsetCommits commits() {
        return commits;
    }

    /** The offset this consumer committed for {@code partition} (to the group or into its state), or -1. */
    long committedOffset(int partition) {
        return stateCommits != null ? stateCommits.committedOffset(partition) : commits.committedOffset(partition);
    }

    /** See {@link KafkaOrdoConsumer#fenceWaits}. */
    long fenceWaits() {
        return fences.count();
    }

    /** Whether the partitions are paused for backpressure now. */
    boolean paused() {
        return paused;
    }

    private volatile long endsRequestedNanos = Long.MIN_VALUE;
    private volatile long endsFetchedNanos = Long.MIN_VALUE;

    private void run() {
        try {
            if (stateCommits != null) {
                assignEveryPartition();
            } else {
                consumer.subscribe(List.of(topic), new Rebalancing());
            }
            long lastCommit = System.nanoTime();
            while (running.get()) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(POLL);
                    for (TopicPartition tp : records.partitions()) {
                        accept(tp.partition(), records.records(tp));
                    }
                    dispatchWaiting();
                    applyBackpressure();
                    trackLag();
                    refreshEndsIfAsked();
                    settleIfAssignedNothing();
                    dispatcher.checkStall();
                    fences.report();
                    if (System.nanoTime() - lastCommit >= commitIntervalNanos) {
                        if (stateCommits != null) {
                            stateCommits.commit(running::get);
                        } else {
                            commits.commit(consumer.assignment(), false);
                        }
                        lastCommit = System.nanoTime();
                    }
                } catch (WakeupException e) {
                    // close() woke whatever blocking call this thread was in (a poll, a look at commits)
                    if (running.get()) {
                        throw e;
                    }
                    break;
                }
            }
            if (!commits.crashed()) {
                dispatcher.close(closeTimeout); // lets every dispatched record that can finish finish
                if (stateCommits != null) {
                    stateCommits.commitOnClose();
                } else {
                    commits.commitOnClose();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed.accept(e);
            dispatcher.close(Duration.ZERO);
        } catch (IOException | RuntimeException e) {
            failed.accept(e);
            LOG.error("consumer of {} stopped", topic, e);
            dispatcher.close(Duration.ZERO);
        } finally {
            consumer.close();
            if (deadLetters != null) {
                deadLetters.close();
            }
            if (emptyAssignmentProbe != null) {
                emptyAssignmentProbe.close();
            }
            assignment = Set.of();
        }
    }

    /**
     * With an application state: takes every partition of the topic (no group: the state is one consumer's)
     * and starts each where the state's offsets say, at the topic's start where they say nothing.
     */
    private void assignEveryPartition() throws IOException {
        Map<Integer, Long> restored = stateCommits.restore();
        List<TopicPartition> partitions = new ArrayList<>();
        consumer.partitionsFor(topic).forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        consumer.assign(partitions);
        Map<TopicPartition, Long> starts = consumer.beginningOffsets(partitions);
        for (TopicPartition tp : partitions) {
            long start = restored.containsKey(tp.partition()) ? restored.get(tp.partition()) : starts.get(tp);
            consumer.seek(tp, start);
            stateCommits.startAt(tp.partition(), start);
            dispatcher.assign(tp.partition(), start, Collections.emptyNavigableSet());
            recordsEnd.put(tp.partition(), start);
        }
        Set<Integer> all = new HashSet<>();
        partitions.forEach(tp -> all.add(tp.partition()));
        assignment = Set.copyOf(all);
        settled.accept(true);
    }

    /** Counts an empty KIP-848 assignment as the group's once the coordinator confirms it. */
    private void settleIfAssignedNothing() {
        if (emptyAssignmentUnsure
                && assignment.isEmpty()
                && emptyAssignmentProbe.assignsNothingTo(
                        consumer.groupMetadata().memberId())) {
            emptyAssignmentUnsure = false;
            settled.accept(true);
        }
    }

    /** Queues a partition's polled records behind any that wait, and dispatches what may go. */
    private void accept(int partition, List<ConsumerRecord<byte[], byte[]>> records) {
        if (!records.isEmpty()) {
            recordsEnd.put(partition, records.get(records.size() - 1).offset() + 1);
        }
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
        long room = dispatcher.room(partition);
        while (!queue.isEmpty() && batch.size() < room) {
            if (!fences.passed(partition, queue.peek().headers())) {
                break;
            }
            batch.add(raw(queue.poll()));
        }
        dispatcher.dispatch(partition, batch);
        if (stateCommits != null && !batch.isEmpty()) {
            stateCommits.dispatched(partition, batch.get(batch.size() - 1).offset() + 1);
        }
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
        fences.refresh();
        for (int partition : List.copyOf(waiting.keySet())) {
            dispatchWaiting(partition);
        }
    }

    /** Partitions held by a partition fence now, and what each waits for (any thread). */
    Map<Integer, String> fenceHolds() {
        return fences.holds();
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
    /**
     * Asks the broker for the assigned partitions' ends when someone waits for the consumer to catch up
     * ({@link #requestEnds}): what the last fetch said may predate records sent just before the wait.
     */
    private void refreshEndsIfAsked() {
        long asked = endsRequestedNanos;
        if (asked <= endsFetchedNanos || consumer.assignment().isEmpty()) {
            return;
        }
        consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(10))
                .forEach((tp, end) -> endOffsets.merge(tp.partition(), end, Math::max));
        endsFetchedNanos = asked;
    }

    /** Has the poll thread ask the broker for the partitions' ends (see {@link #endsKnownSince}). */
    void requestEnds() {
        endsRequestedNanos = System.nanoTime();
    }

    /** Whether the ends were asked of the broker at or after {@code nanos} (or nothing is assigned). */
    boolean endsKnownSince(long nanos) {
        return endsFetchedNanos >= nanos || assignment.isEmpty();
    }

    private void trackLag() {
        for (TopicPartition tp : consumer.assignment()) {
            consumer.currentLag(tp).ifPresent(fetchLag -> {
                long position = consumer.position(tp);
                long end = position + fetchLag;
                positions.put(tp.partition(), position);
                endOffsets.merge(tp.partition(), end, Math::max); // an end asked of the broker may be newer
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
        return end == null ? -1 : end - Math.max(0, commits.committedOffset(partition));
    }

    private void forget(int partition) {
        dispatcher.release(partition);
        waiting.remove(partition); // not dispatched, so not committed: the next owner fetches them again
        fences.forget(partition);
        endOffsets.remove(partition);
        positions.remove(partition);
        recordsEnd.remove(partition);
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
            if (commits.crashed()) {
                return;
            }
            // One drain timeout for all of them: this runs inside poll(), against max.poll.interval.ms.
            long deadline = System.nanoTime() + settings.drainTimeout().toNanos();
            try {
                for (TopicPartition tp : partitions) {
                    dispatcher.drain(tp.partition(), deadline);
                }
                commits.commit(partitions, true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                partitions.forEach(tp -> forget(tp.partition())); // also when the commit failed: ours no more
                assignment = partitionsOf(consumer.assignment(), partitions);
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // Kafka positions each at its committed offset; what was handled beyond it is in the metadata.
            Map<TopicPartition, OffsetAndMetadata> groupCommits =
                    partitions.isEmpty() ? Map.of() : consumer.committed(Set.copyOf(partitions));
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata o = groupCommits.get(tp);
                NavigableSet<Long> handledBefore = Collections.emptyNavigableSet();
                if (o != null) {
                    commits.committedLocally(tp, o);
                    handledBefore = CompletedOffsets.decode(o.offset(), o.metadata());
                }
                if (!dispatcher.isAssigned(tp.partition())) {
                    dispatcher.assign(tp.partition(), o == null ? 0 : o.offset(), handledBefore);
                    recordsEnd.put(tp.partition(), o == null ? 0 : o.offset());
                }
            }
            assignment = partitionsOf(consumer.assignment(), List.of());
            // An empty KIP-848 assignment may be one the coordinator has not computed yet: not settled on it.
            emptyAssignmentUnsure = assignment.isEmpty() && emptyAssignmentProbe != null;
            if (!emptyAssignmentUnsure) {
                settled.accept(true);
            }
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
}
