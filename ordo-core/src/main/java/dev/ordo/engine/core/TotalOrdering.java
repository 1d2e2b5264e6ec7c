package dev.ordo.engine.core;

import dev.ordo.Arguments;
import dev.ordo.engine.ConsumerTuning;
import dev.ordo.engine.Ordering;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@link Ordering#TOTAL} adds to a {@link RecordDispatcher}: the {@link TotalOrderMerge} every record
 * passes on its way to the handlers, and the rules the consumer around it keeps. The merge needs every
 * partition of the topic, so the consumer must own them all, and keep them: one taken away (another member
 * joined its group) or one beyond those the topic had at start (the topic grew) stops it, as settings under
 * which records could not all get their turn (a concurrency other than 1, too small a {@code maxInFlight}).
 */
final class TotalOrdering {

    private final ConsumerSettings<?, ?> settings;
    private final TotalOrderMerge<RawRecord> merge;
    /** Why this consumer no longer holds the whole topic, once it does not; else null. */
    private volatile String lost;

    /**
     * @param partitions the topic's partition count as the consumer starts
     * @throws IllegalArgumentException if {@code partitions} is below 1 or {@code maxInFlight} below twice it
     */
    TotalOrdering(ConsumerSettings<?, ?> settings, int partitions) {
        Arguments.atLeast("partitions", partitions, 1);
        requireRoom(settings.maxInFlight(), partitions);
        this.settings = settings;
        this.merge = new TotalOrderMerge<>(settings.topic(), partitions, settings.maxInFlight());
    }

    /**
     * What may wait in the merge per partition is half of {@code maxInFlight} divided by the partitions: with
     * less than two records per partition the waiting records of all but one partition could fill
     * {@code maxInFlight} while the last one's, which would release them, cannot come.
     */
    private static void requireRoom(long maxInFlight, int partitions) {
        if (maxInFlight < 2L * partitions) {
            throw new IllegalArgumentException("maxInFlight must be >= 2 x the topic's " + partitions + " partitions ("
                    + 2L * partitions + ") with Ordering.TOTAL, was " + maxInFlight);
        }
    }

    /** @throws IllegalArgumentException for a concurrency other than 1, or too small a {@code maxInFlight} */
    void checkTuning(ConsumerTuning next) {
        if (next.concurrency() != 1) {
            throw new IllegalArgumentException(
                    "concurrency must be 1 with Ordering.TOTAL (records run one at a time), was " + next.concurrency());
        }
        requireRoom(next.maxInFlight(), merge.partitions());
    }

    /** A new maxInFlight: a new share per partition. */
    void capacity(long maxInFlight) {
        merge.capacity(maxInFlight);
    }

    /**
     * An ownership of {@code partition} begins at {@code startOffset}.
     *
     * @throws IllegalStateException if the partition is beyond those the topic had at start, or one was taken away
     */
    void assigned(int partition, long startOffset) {
        requireKept();
        if (partition >= merge.partitions()) {
            throw new IllegalStateException("partition " + partition + " of " + settings.topic() + " was assigned, but"
                    + " Ordering.TOTAL merges the " + merge.partitions() + " partitions the topic had when the"
                    + " consumer started: the topic grew, and this consumer stops rather than handle records outside"
                    + " the total order");
        }
        merge.start(partition, startOffset);
    }

    /**
     * The ownership of {@code partition} ended; unless the consumer is closing, that stops it the next time the
     * engine hands records over or settles. Returns the records that waited in the merge (not handled here).
     */
    List<RawRecord> released(int partition, boolean closing) {
        if (!closing) {
            lost = "partition " + partition + " of " + settings.topic() + " was taken from this consumer by group "
                    + settings.group() + " (another member joined, or the consumer was thought gone), but"
                    + " Ordering.TOTAL merges every partition in one consumer: give each consumer (each process) a"
                    + " group of its own";
        }
        return merge.stop(partition);
    }

    /**
     * @throws IllegalStateException naming the group and the partitions it gave, if not all; or the one taken away
     */
    void requireWholeTopic(Set<Integer> assigned) {
        requireKept();
        if (assigned.size() < merge.partitions()) {
            throw new IllegalStateException("group " + settings.group() + " gave this consumer partitions "
                    + new TreeSet<>(assigned) + " of the " + merge.partitions() + " of " + settings.topic()
                    + ", but Ordering.TOTAL merges them all in one consumer: give each consumer (each process) a"
                    + " group of its own");
        }
    }

    /** @throws IllegalStateException naming the partition taken away, if one was */
    void requireKept() {
        String why = lost;
        if (why != null) {
            throw new IllegalStateException(why);
        }
    }

    /** A heartbeat, or a record an earlier owner handled: not handled, but it moves its partition on. */
    void pass(RawRecord r) {
        merge.pass(r.partition(), r.offset(), stamp(r));
    }

    /** A record waits for its turn. */
    void hold(RawRecord r) {
        merge.hold(r.partition(), r.offset(), stamp(r), r);
    }

    /** The records whose turn has come, in the total order. */
    List<RawRecord> release() {
        return merge.release();
    }

    /** See {@link TotalOrderMerge#room}. */
    int room(int partition) {
        return merge.room(partition);
    }

    /** Records of {@code partition} waiting for their turn. */
    int held(int partition) {
        return merge.held(partition);
    }

    /** See {@link TotalOrderMerge#commitPoint}. */
    long commitPoint(int partition, long handledTo) {
        return merge.commitPoint(partition, handledTo);
    }

    /** What the earliest waiting record waits for, if one waits. */
    Optional<String> waiting() {
        return merge.waiting();
    }

    private long stamp(RawRecord r) {
        return TotalOrderMerge.stamp(r.headers(), r.timestamp(), r.partition(), r.offset(), settings.topic());
    }
}
