package dev.ordo.kafka;

import dev.ordo.engine.Ordering;
import dev.ordo.engine.core.ConsumerSettings;
import dev.ordo.engine.core.RecordDispatcher;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll loop's partitions held at a {@link PartitionFence}: whether a record's fence is passed (the
 * partitions it waits for handled far enough, by this consumer or by the group), which partitions wait and
 * since when, the group's committed progress on the partitions they wait for (read at most every 50 ms
 * while one waits), a WARN once a wait lasts the stall timeout, and what each waits for as the operator
 * reads it ({@link #holds()}). The poll thread's, but for {@link #holds()} and {@link #count()}.
 */
final class FenceWaits {

    /** Under the consumer's name: what operators see logged is the consumer's. */
    private static final Logger LOG = LoggerFactory.getLogger(KafkaOrdoConsumer.class);

    private static final long REFRESH_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final String topic;
    private final ConsumerSettings<?, ?> settings;
    private final RecordDispatcher<?, ?> dispatcher;
    private final OffsetCommits commits;
    private final KafkaConsumer<byte[], byte[]> consumer;
    /** The headers of a waiting partition's first record (the one the fence holds). */
    private final IntFunction<Headers> firstWaiting;

    /** Partitions whose first waiting record waits for a fence, and since when (counted once per wait). */
    private final Map<Integer, Long> fenced = new HashMap<>();
    /** Waits already reported as stalls. */
    private final Set<Integer> stallsReported = new HashSet<>();
    /** The group's committed offsets of partitions that held records wait for. */
    private final Map<Integer, Long> groupProgress = new HashMap<>();

    private final AtomicLong waits = new AtomicLong();
    private long lastRefresh;
    private volatile Map<Integer, String> holds = Map.of();

    FenceWaits(
            ConsumerSettings<?, ?> settings,
            RecordDispatcher<?, ?> dispatcher,
            OffsetCommits commits,
            KafkaConsumer<byte[], byte[]> consumer,
            IntFunction<Headers> firstWaiting) {
        this.topic = settings.topic();
        this.settings = settings;
        this.dispatcher = dispatcher;
        this.commits = commits;
        this.consumer = consumer;
        this.firstWaiting = firstWaiting;
    }

    /**
     * Whether every record {@code headers}' record is fenced behind has been handled (always, unless
     * ordering matters); if not, {@code partition} counts as waiting from now (once per wait).
     */
    boolean passed(int partition, Headers headers) {
        if (settings.ordering() != Ordering.UNORDERED) {
            for (PartitionFence.After after : PartitionFence.of(headers)) {
                if (progress(after.partition()) < after.offset()) {
                    if (fenced.putIfAbsent(partition, System.nanoTime()) == null) {
                        waits.incrementAndGet();
                    }
                    return false;
                }
            }
        }
        forget(partition);
        return true;
    }

    /** Reads the group's progress on the partitions waited for, if some partition waits (at most every 50 ms). */
    void refresh() {
        long now = System.nanoTime();
        if (fenced.isEmpty() || now - lastRefresh < REFRESH_NANOS) {
            return;
        }
        lastRefresh = now;
        Set<TopicPartition> awaited = new HashSet<>();
        for (int partition : fenced.keySet()) {
            for (PartitionFence.After after : PartitionFence.of(firstWaiting.apply(partition))) {
                awaited.add(new TopicPartition(topic, after.partition()));
            }
        }
        consumer.committed(awaited).forEach((tp, o) -> {
            if (o != null) {
                groupProgress.merge(tp.partition(), o.offset(), Math::max);
            }
        });
    }

    /**
     * Says, once per wait, of each partition that has waited the stall timeout what it waits for: never a
     * silent stop. Then rebuilds {@link #holds()} if a partition waits or did.
     */
    void report() {
        long now = System.nanoTime();
        Duration stall = settings.stallTimeout();
        for (Map.Entry<Integer, Long> e : fenced.entrySet()) {
            int partition = e.getKey();
            if (now - e.getValue() >= stall.toNanos() && stallsReported.add(partition)) {
                for (PartitionFence.After after : PartitionFence.of(firstWaiting.apply(partition))) {
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
        if (!fenced.isEmpty() || !holds.isEmpty()) {
            holds = PartitionFence.describe(topic, fenced, firstWaiting, this::progress);
        }
    }

    /** Partitions held by a fence now, and what each waits for (any thread). */
    Map<Integer, String> holds() {
        return holds;
    }

    /** How many times a partition began to wait at a fence (any thread). */
    long count() {
        return waits.get();
    }

    /** {@code partition} waits no more: its fence passed, or it is not this consumer's any more. */
    void forget(int partition) {
        fenced.remove(partition);
        stallsReported.remove(partition);
    }

    /** The offset below which every record of {@code partition} is known to be handled, by us or by the group. */
    private long progress(int partition) {
        return Math.max(
                Math.max(commits.committedOffset(partition), groupProgress.getOrDefault(partition, 0L)),
                dispatcher.commitPoint(partition));
    }
}
