package dev.ordo.engine.core;

import dev.ordo.engine.Lag;
import dev.ordo.exec.CompletionTracker;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions a {@link RecordDispatcher} owns, from assignment to hand-over: each ownership
 * ({@link Assignment}) by partition, what it may commit, how far behind it is, and the drain and release
 * that hand it to another member. Apart from the dispatcher because none of it is on a record's way: the
 * engine asks these between fetches and at rebalances, while the dispatcher's hand-over and completion of
 * records use the ownership a record carries ({@link RawRecord#assignment}) and the completion tracker
 * directly. Assigned, released and queried by the engine's fetching thread; {@link #lag} from any thread.
 */
final class OwnedPartitions {

    /** Under the dispatcher's name: what operators see logged is the consumer core's. */
    private static final Logger LOG = LoggerFactory.getLogger(RecordDispatcher.class);

    /** How often a drain looks again at what is stuck (a key parking signals nothing). */
    private static final long DRAIN_LOOK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final ConsumerSettings<?, ?> settings;
    private final CompletionTracker tracker;
    /** Ordering.TOTAL's merge and rules; null under the other orderings. */
    private final TotalOrdering total;

    private final HandlerStage<?, ?> handlers;
    private final InFlightRecords inFlight;
    private final HandlingProgress progress;
    private final Map<Integer, Assignment> assignments = new ConcurrentHashMap<>();
    private final AtomicInteger nextSlot = new AtomicInteger();

    OwnedPartitions(
            ConsumerSettings<?, ?> settings,
            CompletionTracker tracker,
            TotalOrdering total,
            HandlerStage<?, ?> handlers,
            InFlightRecords inFlight,
            HandlingProgress progress) {
        this.settings = settings;
        this.tracker = tracker;
        this.total = total;
        this.handlers = handlers;
        this.inFlight = inFlight;
        this.progress = progress;
    }

    /** See {@link RecordDispatcher#assign}. */
    void assign(int partition, long startOffset, NavigableSet<Long> alreadyHandled) {
        if (assignments.containsKey(partition)) {
            throw new IllegalStateException(
                    "partition " + partition + " of " + settings.topic() + " is assigned already");
        }
        if (total != null) {
            total.assigned(partition, startOffset);
        }
        Assignment a =
                new Assignment(partition, nextSlot.getAndIncrement(), startOffset, new TreeSet<>(alreadyHandled));
        if (assignments.putIfAbsent(partition, a) != null) {
            throw new IllegalStateException(
                    "partition " + partition + " of " + settings.topic() + " is assigned already");
        }
    }

    /** Whether {@code partition} is assigned. */
    boolean isAssigned(int partition) {
        return assignments.containsKey(partition);
    }

    /** The ownership of {@code partition}, or null if it is not assigned. */
    Assignment get(int partition) {
        return assignments.get(partition);
    }

    /** See {@link RecordDispatcher#requireWholeTopic}. */
    void requireWholeTopic() {
        if (total != null) {
            total.requireWholeTopic(assignments.keySet());
        }
    }

    /** See {@link RecordDispatcher#commitPoint}. */
    long commitPoint(int partition) {
        Assignment a = assignments.get(partition);
        if (a == null) {
            return -1;
        }
        long handledTo = handledTo(a);
        // Under Ordering.TOTAL only from some offsets does a restart go on in the same order.
        return total == null ? handledTo : total.commitPoint(partition, handledTo);
    }

    /** After the highest offset below which every record is done; the first dispatched while none is; or -1. */
    private long handledTo(Assignment a) {
        if (a.firstDispatched < 0) {
            return -1;
        }
        long done = tracker.highestContiguousCompleted(a.slot);
        return done >= 0 ? done + 1 : a.firstDispatched;
    }

    /** Records of {@code partition} dispatched and not yet done. */
    int pending(int partition) {
        Assignment a = assignments.get(partition);
        return a == null ? 0 : tracker.pending(a.slot);
    }

    /** See {@link RecordDispatcher#completedBeyond}. */
    NavigableSet<Long> completedBeyond(int partition) {
        Assignment a = assignments.get(partition);
        if (a == null) {
            return Collections.emptyNavigableSet();
        }
        NavigableSet<Long> beyond = new TreeSet<>(a.alreadyHandled);
        for (long o : tracker.completedAbove(a.slot, RecordDispatcher.MAX_COMPLETED_BEYOND)) {
            beyond.add(o);
        }
        return beyond;
    }

    /** See {@link RecordDispatcher#drain(int, long)}, for a dispatcher not closed. */
    boolean drain(int partition, long deadlineNanos) throws InterruptedException {
        Assignment a = assignments.get(partition);
        if (a == null) {
            return true;
        }
        // Looked at now and then besides on completions: a key parking finishes nothing, so signals nothing.
        // Records waiting in the total order are not waited for: their turn may need the partition itself.
        while (a.inFlight.get() - handlers.stuck(a) - (total == null ? 0 : total.held(partition)) > 0) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                LOG.warn(
                        "{}-{} handed over with {} records unfinished after the drain timeout of {} ({}); the next "
                                + "owner handles them again",
                        settings.topic(),
                        partition,
                        a.inFlight.get(),
                        settings.drainTimeout(),
                        progress.stall().orElse("handlers still running"));
                return false;
            }
            progress.await(Math.min(left, DRAIN_LOOK_NANOS));
        }
        return true;
    }

    /** See {@link RecordDispatcher#release}; {@code closing} if the dispatcher is closed. */
    void release(int partition, boolean closing) {
        Assignment a = assignments.remove(partition);
        if (a == null) {
            return;
        }
        a.released = true;
        handlers.abandonParked(a);
        tracker.forget(a.slot);
        if (total != null) {
            long dropped = total.released(partition, closing).size(); // not handled here: the next owner's
            if (dropped > 0) {
                inFlight.done(dropped);
                progress.signal();
            }
        }
    }

    /** See {@link RecordDispatcher#lag}. */
    Lag lag(IntToLongFunction endOffset) {
        long records = 0;
        long oldest = Long.MAX_VALUE;
        for (Assignment a : assignments.values()) {
            long end = endOffset.applyAsLong(a.partition);
            if (end < 0) {
                return new Lag(-1, Duration.ZERO);
            }
            long next = handledTo(a);
            long handledTo = next >= 0 ? next : a.startOffset;
            records += Math.max(0, end - handledTo);
            long timestamp = a.oldestUnhandledTimestamp(handledTo);
            if (timestamp >= 0) {
                oldest = Math.min(oldest, timestamp);
            }
        }
        Duration time = oldest == Long.MAX_VALUE
                ? Duration.ZERO
                : Duration.ofMillis(Math.max(0, System.currentTimeMillis() - oldest));
        return new Lag(records, time);
    }
}
