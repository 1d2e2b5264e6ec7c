package dev.ordo.engine.core;

import dev.ordo.causal.HybridTimestamp;
import dev.ordo.engine.Headers;
import dev.ordo.engine.OrdoHeaders;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stage of {@link dev.ordo.engine.Ordering#TOTAL} between fetching and the handlers: each partition's
 * records wait here in offset order and leave in the total order (hybrid timestamp, partition, offset),
 * each once no partition can still deliver a record that sorts before it. A partition shows how far it has
 * gone by its records, by producer heartbeats and by records an earlier owner handled ({@link #pass}).
 *
 * <p><b>Raised stamps.</b> A record's stamp is raised to its partition's frontier, the highest stamp seen
 * from the partition so far: several producers with different clocks may write one partition, and every
 * consumer that reads the partition from the same offset raises alike, so the order is a function of the
 * log. A record without a stamp counts as stamped at its log timestamp (logical 0).
 *
 * <p><b>Restart points.</b> Because of the raise, a consumer restarted at an offset whose entry lies below
 * the frontier before it would place the records that follow differently. Only offsets whose entry is at or
 * above that frontier are safe to go on from: {@link #commitPoint} gives the highest safe offset at or below
 * what was handled. The latest {@value #MAX_SAFE_POINTS} candidates are kept per partition; beyond, the newest
 * replaces the last, which makes commit points coarser, never unsafe.
 *
 * <p><b>Bounds.</b> At most {@code maxInFlight / (2 x partitions)} records (at least one) wait per partition
 * ({@link #room}): a partition whose records wait stops being fetched while the others go on, and the
 * waiting records never fill {@code maxInFlight} while no record can leave.
 *
 * <p>One lock (this): the engine's fetching thread offers and releases; commit points and the description
 * of a wait are read by others.
 *
 * @param <T> what is handed on for each record
 */
final class TotalOrderMerge<T> {

    private static final Logger LOG = LoggerFactory.getLogger(TotalOrderMerge.class);
    static final int MAX_SAFE_POINTS = 1024;

    private final String topic;
    private final Lane<T>[] lanes;
    private int capacity;
    private int held;

    @SuppressWarnings("unchecked")
    TotalOrderMerge(String topic, int partitions, long maxInFlight) {
        this.topic = topic;
        this.lanes = new Lane[partitions];
        for (int p = 0; p < partitions; p++) {
            lanes[p] = new Lane<>();
        }
        capacity(maxInFlight);
    }

    /** The partition count this merge covers. */
    int partitions() {
        return lanes.length;
    }

    /** Sets the records that may wait per partition from the consumer's {@code maxInFlight}. */
    synchronized void capacity(long maxInFlight) {
        capacity = (int) Math.max(1, Math.min(Integer.MAX_VALUE, maxInFlight / (2L * lanes.length)));
    }

    /** An ownership of {@code partition} begins at {@code offset}: nothing known of it before. */
    synchronized void start(int partition, long offset) {
        Lane<T> lane = lane(partition);
        lane.reset();
        lane.owned = true;
        lane.committable = offset;
    }

    /**
     * The ownership of {@code partition} ended: its waiting records are let go (not handed on); returns them.
     */
    synchronized List<T> stop(int partition) {
        Lane<T> lane = lane(partition);
        List<T> dropped = new ArrayList<>(lane.held.size());
        for (Held<T> h : lane.held) {
            dropped.add(h.item);
        }
        held -= lane.held.size();
        lane.reset();
        return dropped;
    }

    /** The entry at {@code offset} of {@code partition}, stamped {@code stamp}, is not handled here but moves the partition on. */
    synchronized void pass(int partition, long offset, long stamp) {
        raise(lane(partition), offset, stamp);
    }

    /** The record at {@code offset} of {@code partition}, stamped {@code stamp}, waits for its turn. */
    synchronized void hold(int partition, long offset, long stamp, T item) {
        Lane<T> lane = lane(partition);
        lane.held.addLast(new Held<>(raise(lane, offset, stamp), item));
        held++;
    }

    /** The records whose turn has come, in the total order; none if none. */
    synchronized List<T> release() {
        List<T> released = List.of();
        while (true) {
            int next = earliest();
            if (next < 0 || !blocking(next, lanes[next].held.peekFirst().stamp).isEmpty()) {
                return released;
            }
            if (released.isEmpty()) {
                released = new ArrayList<>();
            }
            released.add(lanes[next].held.pollFirst().item);
            held--;
        }
    }

    /** How many more records of {@code partition} may wait now. */
    synchronized int room(int partition) {
        return Math.max(0, capacity - lane(partition).held.size());
    }

    /** Records of {@code partition} waiting for their turn. */
    synchronized int held(int partition) {
        return lane(partition).held.size();
    }

    /** Records waiting for their turn, of all partitions. */
    synchronized int held() {
        return held;
    }

    /**
     * The offset of {@code partition} to commit when every record before {@code handledTo} is done: the
     * highest restart point at or below it; {@code handledTo} itself if negative (nothing to commit).
     */
    synchronized long commitPoint(int partition, long handledTo) {
        if (handledTo < 0) {
            return handledTo;
        }
        Lane<T> lane = lane(partition);
        while (lane.safeCount > 0 && lane.safe[lane.safeHead] <= handledTo) {
            lane.committable = lane.safe[lane.safeHead];
            lane.safeHead = (lane.safeHead + 1) % MAX_SAFE_POINTS;
            lane.safeCount--;
        }
        return lane.committable;
    }

    /**
     * What the earliest waiting record waits for, if one waits:
     * {@code "the total order of ledger holds 12 records; the earliest, ledger-0@17 stamped 1700000000123.0,
     * waits for partitions [2] to pass it ..."}.
     */
    synchronized Optional<String> waiting() {
        int next = earliest();
        if (next < 0) {
            return Optional.empty();
        }
        Held<T> first = lanes[next].held.peekFirst();
        List<Integer> behind = blocking(next, first.stamp);
        if (behind.isEmpty()) {
            return Optional.empty();
        }
        List<Integer> notOwned = new ArrayList<>();
        for (int q : behind) {
            if (!lanes[q].owned) {
                notOwned.add(q);
            }
        }
        return Optional.of("the total order of " + topic + " holds " + held + " records; the earliest, " + first.item
                + " stamped " + HybridTimestamp.unpack(first.stamp) + ", waits for partitions " + behind
                + " to pass it by a record or a producer heartbeat"
                + (notOwned.isEmpty()
                        ? " (do all producers of " + topic + " send heartbeats?)"
                        : "; this consumer does not own " + notOwned));
    }

    /**
     * The stamp {@code Ordering.TOTAL} places a record by: its {@link OrdoHeaders#HYBRID_TIMESTAMP}, packed;
     * without one (or with a malformed one, logged) its log timestamp in milliseconds, logical 0.
     */
    static long stamp(Headers headers, long timestamp, int partition, long offset, String topic) {
        if (headers != null) {
            try {
                HybridTimestamp stamp = OrdoHeaders.hybridTimestamp(headers);
                if (stamp != null) {
                    return stamp.pack();
                }
            } catch (IllegalArgumentException malformed) {
                LOG.warn(
                        "{}-{}@{}: {}; placed in the total order by its log timestamp",
                        topic,
                        partition,
                        offset,
                        malformed.getMessage());
            }
        }
        return new HybridTimestamp(Math.max(0, timestamp), 0).pack();
    }

    /** Raises {@code stamp} to the lane's frontier, noting a restart point where it is at or above it. */
    private long raise(Lane<T> lane, long offset, long stamp) {
        if (lane.known && Long.compareUnsigned(stamp, lane.frontier) < 0) {
            return lane.frontier;
        }
        lane.known = true;
        lane.frontier = stamp;
        lane.safePoint(offset);
        return stamp;
    }

    /** The partition whose first waiting record sorts first, or -1 if none waits. */
    private int earliest() {
        int next = -1;
        long nextStamp = 0;
        for (int p = 0; p < lanes.length; p++) {
            Held<T> head = lanes[p].held.peekFirst();
            if (head != null && (next < 0 || Long.compareUnsigned(head.stamp, nextStamp) < 0)) {
                next = p;
                nextStamp = head.stamp;
            }
        }
        return next;
    }

    /** The partitions that may still deliver a record sorting before ({@code stamp}, {@code partition}). */
    private List<Integer> blocking(int partition, long stamp) {
        List<Integer> behind = List.of();
        for (int q = 0; q < lanes.length; q++) {
            Lane<T> lane = lanes[q];
            if (q == partition || !lane.held.isEmpty()) {
                continue; // a waiting record is the earliest its partition can deliver, and sorts after
            }
            int c = lane.known ? Long.compareUnsigned(lane.frontier, stamp) : -1;
            if (c < 0 || (c == 0 && q < partition)) {
                if (behind.isEmpty()) {
                    behind = new ArrayList<>();
                }
                behind.add(q);
            }
        }
        return behind;
    }

    private Lane<T> lane(int partition) {
        if (partition < 0 || partition >= lanes.length) {
            throw new IllegalArgumentException("partition must be in [0, " + lanes.length + "), was " + partition);
        }
        return lanes[partition];
    }

    private record Held<T>(long stamp, T item) {}

    /** One partition: its waiting records, its frontier and its restart points. */
    private static final class Lane<T> {
        final ArrayDeque<Held<T>> held = new ArrayDeque<>();
        final long[] safe = new long[MAX_SAFE_POINTS];
        int safeHead;
        int safeCount;
        boolean owned;
        boolean known;
        long frontier;
        long committable = -1;

        void safePoint(long offset) {
            if (safeCount == MAX_SAFE_POINTS) {
                safe[(safeHead + safeCount - 1) % MAX_SAFE_POINTS] = offset; // coarser, never unsafe
            } else {
                safe[(safeHead + safeCount) % MAX_SAFE_POINTS] = offset;
                safeCount++;
            }
        }

        void reset() {
            held.clear();
            safeHead = 0;
            safeCount = 0;
            owned = false;
            known = false;
            committable = -1;
        }
    }
}
