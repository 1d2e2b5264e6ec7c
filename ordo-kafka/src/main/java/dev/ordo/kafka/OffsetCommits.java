package dev.ordo.kafka;

import dev.ordo.engine.core.RecordDispatcher;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commits of a {@link KafkaOrdoConsumer}: per partition the offset after the highest contiguous
 * handled record, with the offsets handled beyond it in the commit's metadata ({@link CompletedOffsets}),
 * sent only when either changed; what was committed only moves forward. A crashed consumer commits
 * nothing. Called on the poll thread (through the {@link KafkaConsumer}, which allows no other); the
 * committed offsets are read from any thread.
 */
final class OffsetCommits {

    /** Under the consumer's name: what operators see logged is the consumer's. */
    private static final Logger LOG = LoggerFactory.getLogger(KafkaOrdoConsumer.class);
    /**
     * How long the last commit waits for a rebalance to complete: the slowest member's drain (inside its
     * poll) holds a classic group's rebalance; {@link PollLoop#stop} allows for it.
     */
    static final Duration LAST_COMMIT_TIMEOUT = Duration.ofSeconds(15);

    private final String topic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final RecordDispatcher<?, ?> dispatcher;
    /** Whether records fetched from a partition wait, not dispatched yet: its position is not theirs to commit. */
    private final IntPredicate recordsWait;
    /** What this consumer committed per partition (offset, metadata); offsets only move forward. */
    private final Map<Integer, OffsetAndMetadata> committed = new ConcurrentHashMap<>();

    /** Partitions whose records the polls of {@link #commitOnClose} fetched and dropped (poll thread). */
    private final Set<Integer> fetchedOnClose = new HashSet<>();

    private volatile boolean crashed;

    OffsetCommits(
            String topic,
            KafkaConsumer<byte[], byte[]> consumer,
            RecordDispatcher<?, ?> dispatcher,
            IntPredicate recordsWait) {
        this.topic = topic;
        this.consumer = consumer;
        this.dispatcher = dispatcher;
        this.recordsWait = recordsWait;
    }

    /** From now on nothing is committed (a crash, for tests). */
    void crash() {
        crashed = true;
    }

    boolean crashed() {
        return crashed;
    }

    /** The offset committed for {@code partition} by this consumer, or -1 if it has committed none. */
    long committedOffset(int partition) {
        OffsetAndMetadata o = committed.get(partition);
        return o == null ? -1 : o.offset();
    }

    /** The metadata of this consumer's last commit of {@code partition}, or "". */
    String committedMetadata(int partition) {
        OffsetAndMetadata o = committed.get(partition);
        return o == null ? "" : o.metadata();
    }

    /**
     * Commits, per partition, the offset after the highest contiguous handled record, with the offsets
     * handled beyond it in the metadata, if either changed.
     */
    void commit(Collection<TopicPartition> partitions, boolean sync) {
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
        if (recordsWait.test(tp.partition()) || fetchedOnClose.contains(tp.partition())) {
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

    /** Records a commit of {@code tp}, made here or read from the group, unless an earlier offset. */
    void committedLocally(TopicPartition tp, OffsetAndMetadata o) {
        committed.merge(tp.partition(), o, (old, now) -> now.offset() >= old.offset() ? now : old);
    }

    /**
     * The last commit. A rebalance of a classic group under way (another member joining as this one
     * leaves, a slow member still draining what it gives up) refuses it; polls complete the rebalance,
     * whose revocation commits what it takes away, and the commit is tried again for what is left, for
     * up to {@link #LAST_COMMIT_TIMEOUT}. Those polls fetch nothing of the partitions held (paused);
     * records of a partition assigned meanwhile are not dispatched, so neither they nor its position are
     * committed.
     */
    void commitOnClose() {
        long deadline = System.nanoTime() + LAST_COMMIT_TIMEOUT.toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                commit(consumer.assignment(), true);
                return;
            } catch (RebalanceInProgressException e) {
                if (System.nanoTime() - deadline >= 0) {
                    LOG.warn(
                            "last commit of {} gave up after {} s and {} attempts, a rebalance still under way; "
                                    + "records since the previous commit will be handled again",
                            topic,
                            LAST_COMMIT_TIMEOUT.toSeconds(),
                            attempt);
                    return;
                }
                consumer.pause(consumer.assignment()); // the poll is for the rebalance, not for records
                consumer.poll(PollLoop.POLL).partitions().forEach(tp -> fetchedOnClose.add(tp.partition()));
            } catch (WakeupException e) {
                // close()'s wakeup, not spent by a poll: it is spent now, the commit goes again
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
}
