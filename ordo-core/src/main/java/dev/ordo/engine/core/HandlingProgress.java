package dev.ordo.engine.core;

import dev.ordo.Ticker;
import dev.ordo.exec.ParkedKey;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a consumer's records last moved on, the waits for them to move (the fetcher's for room, a drain's
 * for its partition, a close's for quiescence), and what the consumer waits for when they have not for
 * the stall timeout. The waits are on one monitor that {@link #signal()} wakes: the dispatcher signals only
 * the moments someone waits for (nothing left in flight, the resume mark, a drained partition, a resume),
 * not every finished record.
 */
final class HandlingProgress {

    /** Under the dispatcher's name: what operators see logged is the consumer core's. */
    private static final Logger LOG = LoggerFactory.getLogger(RecordDispatcher.class);

    private final Ticker ticker;
    private final Object monitor = new Object();
    private final ConsumerSettings<?, ?> settings;
    private final InFlightRecords inFlight;
    /** What records in flight may wait for, named in a stall: parked keys, the total order (null if none). */
    private final HandlerStage<?, ?> handlers;

    private final TotalOrdering total;

    private volatile long lastNanos;
    private volatile boolean stallReported;

    HandlingProgress(
            Ticker ticker,
            ConsumerSettings<?, ?> settings,
            InFlightRecords inFlight,
            HandlerStage<?, ?> handlers,
            TotalOrdering total) {
        this.ticker = ticker;
        this.settings = settings;
        this.inFlight = inFlight;
        this.handlers = handlers;
        this.total = total;
        this.lastNanos = ticker.read();
    }

    /** Records moved on now: a stall is counted from here, and reported again. */
    void moved() {
        lastNanos = ticker.read();
        stallReported = false;
    }

    /** Wakes every wait. */
    void signal() {
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }

    /** Waits for a {@link #signal()} or {@code maxWaitNanos}; returns at once if that is not positive. */
    void await(long maxWaitNanos) throws InterruptedException {
        if (maxWaitNanos <= 0) {
            return;
        }
        synchronized (monitor) {
            TimeUnit.NANOSECONDS.timedWait(monitor, maxWaitNanos);
        }
    }

    /** Waits until {@code done} (looked at on each signal) or {@code maxWaitNanos}; returns whether done. */
    boolean await(BooleanSupplier done, long maxWaitNanos) throws InterruptedException {
        long deadline = System.nanoTime() + maxWaitNanos;
        synchronized (monitor) {
            while (!done.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(monitor, left);
            }
        }
        return true;
    }

    /** Nanoseconds since records last moved on. */
    long sinceMovedNanos() {
        return ticker.read() - lastNanos;
    }

    /** See {@link RecordDispatcher#stall()}. */
    Optional<String> stall() {
        long waitedNanos = sinceMovedNanos();
        long records = inFlight.get();
        if (records == 0 || waitedNanos < settings.stallTimeout().toNanos()) {
            return Optional.empty();
        }
        Optional<String> merging = total == null ? Optional.empty() : total.waiting();
        return Optional.of(describeStall(waitedNanos, records, handlers.parkedKeys(), merging));
    }

    /** See {@link RecordDispatcher#checkStall()}. */
    void checkStall() {
        if (stallReported) {
            return;
        }
        Optional<String> stall = stall();
        if (stall.isPresent() && reportStall()) {
            LOG.warn("consumer of {} in group {}: {}", settings.topic(), settings.group(), stall.get());
        }
    }

    /** See {@link RecordDispatcher#stalledSeconds()}. */
    double stalledSeconds() {
        return inFlight.get() == 0 ? 0 : sinceMovedNanos() / 1e9;
    }

    /** Whether the stall going on now is yet to be reported; true once, until records move on. */
    private boolean reportStall() {
        if (stallReported) {
            return false;
        }
        stallReported = true;
        return true;
    }

    /**
     * What a consumer with {@code inFlight} records in flight, none of which finished for {@code waitedNanos},
     * waits for: its first parked key (and how many more), or else {@code merging} (what the total order
     * waits for) or handlers still running.
     */
    static String describeStall(
            long waitedNanos, long inFlight, List<ParkedKey<Object>> parked, Optional<String> merging) {
        StringBuilder why = new StringBuilder("no progress for ")
                .append(TimeUnit.NANOSECONDS.toSeconds(waitedNanos))
                .append(" s with ")
                .append(inFlight)
                .append(" records in flight: ");
        if (parked.isEmpty() && merging.isPresent()) {
            return why.append(merging.get()).toString();
        }
        if (parked.isEmpty()) {
            return why.append("waiting for handlers still running (a handler that never returns?)")
                    .toString();
        }
        ParkedKey<Object> first = parked.get(0);
        why.append("waiting for parked key ")
                .append(first.key())
                .append(" (")
                .append(first.task())
                .append(" failed ")
                .append(first.attempts())
                .append(" attempts: ")
                .append(first.error())
                .append("; resume or skip it)");
        if (parked.size() > 1) {
            why.append(" and ").append(parked.size() - 1).append(" more parked keys");
        }
        return why.toString();
    }
}
