package dev.ordo.time;

import dev.ordo.OrdoInterruptedException;
import dev.ordo.OverloadedException;
import dev.ordo.Ticker;
import dev.ordo.flow.BufferBounds;
import dev.ordo.flow.OverflowPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToLongFunction;

/**
 * Releases events in event-time order once the watermark has passed them: the reordering stage
 * for sensor readings, clicks or trades that carry their own timestamps and arrive out of order.
 *
 * <ul>
 *   <li>Watermarks per source ({@link WatermarkStrategy}): the newest timestamp minus the bound;
 *       the reorderer's watermark is their minimum over active sources and never goes back.</li>
 *   <li>Idle sources (no event for the idle timeout, by the {@link Ticker}) stop holding the
 *       watermark back and rejoin when they send again.</li>
 *   <li>Events at or below the watermark on arrival are late: dropped beyond the allowed lateness,
 *       otherwise handled by the {@link LatePolicy}.</li>
 *   <li>Equal timestamps are released by source, then sequence: deterministic for any arrival order.</li>
 *   <li>Bounded by count and bytes ({@link BufferBounds}) with an {@link OverflowPolicy};
 *       {@code FORCE_GAP} advances the watermark to the oldest buffered event, {@code REFUSE} returns
 *       {@link Offer#REFUSED} for the caller to offer the event again later, {@code BLOCK} waits
 *       (noticing idle sources meanwhile) for at most {@code maxBlock}.</li>
 * </ul>
 *
 * <pre>{@code
 * EventTimeReorderer<String, Reading> reorderer = EventTimeReorderer.<String, Reading>builder()
 *         .watermarks(WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofSeconds(2))
 *                 .withIdleness(Duration.ofSeconds(30)).withLatePolicy(LatePolicy.SIDE_OUTPUT))
 *         .sources(List.of("sensor-1", "sensor-2"))
 *         .lateSink(late -> audit(late))
 *         .build(event -> chart.plot(event.payload()));
 * reorderer.offer("sensor-1", reading.seq(), reading.timeMillis(), reading);
 * reorderer.tick();   // call regularly so that idleness is noticed without new events
 * }</pre>
 *
 * Thread-safe (one lock; sinks run under it and must not call back in).
 *
 * @param <S> the source id type, ordered for deterministic tie-breaking
 * @param <T> the event type
 */
public final class EventTimeReorderer<S extends Comparable<? super S>, T> {

    /** Receives events. */
    @FunctionalInterface
    public interface Sink<S, T> {
        void accept(TimedEvent<S, T> event);
    }

    /** What {@link #offer} did with an event. */
    public enum Offer {
        /** Buffered until the watermark passes it (or released at once if it already has). */
        ACCEPTED,
        /** Late, handled by the late policy. */
        LATE,
        /** Later than the allowed lateness: dropped. */
        DROPPED,
        /** Not taken for lack of room ({@link OverflowPolicy#REFUSE}): offer it again later. */
        REFUSED
    }

    private static final long MAX_BLOCK_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final WatermarkStrategy strategy;
    private final AdaptiveBound adaptive;
    private final LearnedOutOfOrderness learned;
    private final long idleNanos;
    private final BufferBounds<T> bounds;
    private final OverflowPolicy overflowPolicy;
    private final Ticker ticker;
    private final Sink<S, T> sink;
    private final Sink<S, T> lateSink;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private final SourceClocks<S> clocks = new SourceClocks<>();
    private final CalendarQueue<S, T> buffer;
    private long watermark = Long.MIN_VALUE;
    private long bufferedBytes;
    private int peakBuffered;
    private long releasedCount;
    private long late;
    private long droppedTooLate;
    private long forcedAdvances;
    private long refused;

    private EventTimeReorderer(Builder<S, T> b, Sink<S, T> sink) {
        this.strategy = b.strategy;
        this.adaptive = b.strategy.adaptiveBound();
        this.learned = b.strategy.learnedBounds();
        this.idleNanos = b.strategy.idlenessNanos();
        this.bounds = b.bounds;
        this.overflowPolicy = b.bounds.overflowPolicy();
        this.ticker = b.bounds.ticker();
        this.sink = sink;
        this.lateSink = b.lateSink;
        this.buffer = new CalendarQueue<>(bounds.weighs(), this::emit);
        long now = ticker.read();
        for (S source : b.sources) {
            clocks.clockOf(source, now);
        }
    }

    public static <S extends Comparable<? super S>, T> Builder<S, T> builder() {
        return new Builder<>();
    }

    /**
     * Offers an event.
     *
     * @param source where it came from (a source not declared up front joins now)
     * @param sequence its position within its source; breaks timestamp ties
     * @param timestamp its event time in milliseconds
     * @return what was done with it; {@link Offer#REFUSED} only under {@link OverflowPolicy#REFUSE}
     * @throws OverloadedException under {@link OverflowPolicy#REJECT} when it does not fit, and under
     *         {@link OverflowPolicy#BLOCK} when it still does not fit after {@code maxBlock}; nothing changes
     * @throws IllegalArgumentException if it weighs more than {@code maxBufferedBytes}
     */
    public Offer offer(S source, long sequence, long timestamp, T event) {
        Objects.requireNonNull(source, "source must not be null");
        Objects.requireNonNull(event, "event must not be null");
        long weight = bounds.weigh(event);
        lock.lock();
        try {
            long now = idleNanos >= 0 ? ticker.read() : 0;
            SourceClocks.Clock clock = clocks.clockOf(source, now);
            clock.lastArrival = now;
            clock.idle = false;
            if (adaptive != null) {
                adaptive.record(clock.newest == Long.MIN_VALUE ? 0 : clock.newest - timestamp);
            } else if (learned != null) {
                learned.record(source, timestamp, clock.newest);
            }
            if (timestamp <= watermark) {
                return handleLate(source, sequence, timestamp, event);
            }
            boolean waited = false;
            long blockDeadline = 0;
            while (!bounds.fits(buffer.size(), bufferedBytes, weight)) {
                if (overflowPolicy == OverflowPolicy.REFUSE) {
                    refused++;
                    return Offer.REFUSED;
                }
                if (!waited) {
                    waited = true;
                    blockDeadline = bounds.blockDeadline();
                }
                makeRoom(source, timestamp, weight, blockDeadline);
                if (timestamp <= watermark) {
                    return handleLate(source, sequence, timestamp, event);
                }
            }
            buffer.add(new TimedEvent<>(source, sequence, timestamp, event, false), weight);
            bufferedBytes += weight;
            peakBuffered = Math.max(peakBuffered, buffer.size());
            boolean newMax = timestamp > clock.newest;
            if (newMax) {
                clocks.advance(clock, timestamp);
            }
            if (idleNanos >= 0) {
                clocks.markIdle(now, idleNanos);
                advanceWatermark();
            } else if (newMax || adaptive != null || learned != null) {
                // Without idleness every source is active: the kept minimum is the scan's result.
                long slowest = clocks.slowest();
                moveWatermarkTo(watermarkOf(slowest, boundAt(slowest)));
            }
            return Offer.ACCEPTED;
        } finally {
            lock.unlock();
        }
    }

    /** Notices idle sources at the ticker's current time and releases what that lets through. */
    public void tick() {
        lock.lock();
        try {
            if (idleNanos >= 0) {
                clocks.markIdle(ticker.read(), idleNanos);
            }
            advanceWatermark();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Declares that no more events will come and releases everything buffered, in order. The
     * watermark moves to the newest buffered timestamp.
     */
    public void flush() {
        lock.lock();
        try {
            try {
                buffer.release(Long.MAX_VALUE);
            } finally {
                // Also when a sink throws: what went out stays behind the watermark.
                watermark = Math.max(watermark, buffer.lastReleased());
            }
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The watermark in milliseconds ({@code Long.MIN_VALUE} before the first). */
    public long currentWatermark() {
        lock.lock();
        try {
            return watermark;
        } finally {
            lock.unlock();
        }
    }

    public EventTimeStats stats() {
        lock.lock();
        try {
            return new EventTimeStats(
                    releasedCount,
                    late,
                    droppedTooLate,
                    forcedAdvances,
                    refused,
                    buffer.size(),
                    bufferedBytes,
                    peakBuffered,
                    watermark,
                    learned != null ? learned.lastBoundMillis() : strategy.boundMillis());
        } finally {
            lock.unlock();
        }
    }

    private Offer handleLate(S source, long sequence, long timestamp, T event) {
        long allowed = strategy.allowedLatenessMillis();
        long behind = watermark - timestamp; // negative if it wrapped: more than Long.MAX_VALUE behind
        if (allowed != Long.MAX_VALUE && (behind < 0 || behind > allowed)) {
            droppedTooLate++;
            return Offer.DROPPED;
        }
        late++;
        switch (strategy.latePolicy()) {
            case SIDE_OUTPUT -> lateSink.accept(new TimedEvent<>(source, sequence, timestamp, event, false));
            case CORRECTION -> sink.accept(new TimedEvent<>(source, sequence, timestamp, event, true));
            case DROP -> {}
            default -> throw new AssertionError(strategy.latePolicy());
        }
        return Offer.LATE;
    }

    private void makeRoom(S source, long timestamp, long weight, long blockDeadline) {
        switch (overflowPolicy) {
            case REJECT -> throw full(source, timestamp, weight, "");
            case FORCE_GAP -> {
                forcedAdvances++;
                releaseHead();
            }
            case BLOCK -> {
                long remaining = blockDeadline - System.nanoTime();
                if (remaining <= 0) {
                    throw full(source, timestamp, weight, "; still full after maxBlock " + bounds.maxBlock());
                }
                try {
                    released.awaitNanos(Math.min(remaining, MAX_BLOCK_WAIT_NANOS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new OrdoInterruptedException("interrupted while waiting for event-time buffer space", e);
                }
                if (idleNanos >= 0) {
                    clocks.markIdle(ticker.read(), idleNanos);
                }
                advanceWatermark();
            }
            default -> throw new AssertionError(overflowPolicy);
        }
    }

    private OverloadedException full(S source, long timestamp, long weight, String waited) {
        return new OverloadedException("event-time reorderer full: cannot take the event of " + source + " at "
                + timestamp + ": it " + bounds.whichBound(buffer.size(), bufferedBytes, weight, "events")
                + "; watermark " + watermark + waited);
    }

    /** Releases the oldest buffered event (and moves the watermark to it), whatever the sources say. */
    private void releaseHead() {
        watermark = Math.max(watermark, buffer.firstTimestamp());
        buffer.release(watermark);
    }

    private void advanceWatermark() {
        long slowest = clocks.slowestActive();
        moveWatermarkTo(watermarkOf(slowest, boundAt(slowest)));
    }

    /** The out-of-orderness bound for a watermark taken from the newest timestamp {@code newest}. */
    private long boundAt(long newest) {
        return learned != null ? learned.boundMillis(newest) : strategy.boundMillis();
    }

    private void moveWatermarkTo(long candidate) {
        if (candidate > watermark) {
            watermark = candidate;
            if (buffer.release(candidate) > 0) {
                released.signalAll();
            }
        }
    }

    /**
     * A source's watermark: its newest timestamp minus the bound minus 1 ms, {@code Long.MIN_VALUE}
     * before it sent or where the difference would fall below the range of a long.
     */
    private static long watermarkOf(long newest, long boundMillis) {
        return newest < Long.MIN_VALUE + boundMillis + 1 ? Long.MIN_VALUE : newest - boundMillis - 1;
    }

    private void emit(TimedEvent<S, T> event, long weight) {
        bufferedBytes -= weight;
        releasedCount++;
        sink.accept(event);
    }

    /**
     * Configures an {@link EventTimeReorderer}. Defaults: bounded out-of-orderness of 0 (strictly
     * ordered input), 100,000 events, no byte bound, {@link OverflowPolicy#BLOCK} for at most
     * {@link BufferBounds#DEFAULT_MAX_BLOCK 60 s}, system ticker, late events dropped.
     */
    public static final class Builder<S extends Comparable<? super S>, T> {
        private WatermarkStrategy strategy = WatermarkStrategy.forBoundedOutOfOrderness(Duration.ZERO);
        private BufferBounds<T> bounds = BufferBounds.of(100_000);
        private List<S> sources = new ArrayList<>();
        private Sink<S, T> lateSink;

        private Builder() {}

        public Builder<S, T> watermarks(WatermarkStrategy strategy) {
            this.strategy = Objects.requireNonNull(strategy, "strategy must not be null");
            return this;
        }

        /**
         * Sources known up front: each holds the watermark back until it sends (or goes idle), so
         * a slow starter's first events are not late.
         */
        public Builder<S, T> sources(List<S> sources) {
            this.sources = List.copyOf(Objects.requireNonNull(sources, "sources must not be null"));
            return this;
        }

        /** The most events held at once. */
        public Builder<S, T> maxBuffered(int maxBuffered) {
            this.bounds = bounds.withMaxBuffered(maxBuffered);
            return this;
        }

        /** The most bytes held at once, each event weighed by {@code weigher}. */
        public Builder<S, T> maxBufferedBytes(long maxBufferedBytes, ToLongFunction<? super T> weigher) {
            this.bounds = bounds.withMaxBufferedBytes(maxBufferedBytes, weigher);
            return this;
        }

        /** What happens to an event that does not fit (default {@link OverflowPolicy#BLOCK}). */
        public Builder<S, T> overflowPolicy(OverflowPolicy overflowPolicy) {
            this.bounds = bounds.withOverflowPolicy(overflowPolicy);
            return this;
        }

        /** How long {@link OverflowPolicy#BLOCK} waits for room, in real time (default 60 s). */
        public Builder<S, T> maxBlock(Duration maxBlock) {
            this.bounds = bounds.withMaxBlock(maxBlock);
            return this;
        }

        /** The clock of idleness (default {@link Ticker#system()}). */
        public Builder<S, T> ticker(Ticker ticker) {
            this.bounds = bounds.withTicker(ticker);
            return this;
        }

        /** Where late events go under {@link LatePolicy#SIDE_OUTPUT}; required by that policy. */
        public Builder<S, T> lateSink(Sink<S, T> lateSink) {
            this.lateSink = Objects.requireNonNull(lateSink, "lateSink must not be null");
            return this;
        }

        public EventTimeReorderer<S, T> build(Sink<S, T> sink) {
            Objects.requireNonNull(sink, "sink must not be null");
            if (strategy.latePolicy() == LatePolicy.SIDE_OUTPUT && lateSink == null) {
                throw new IllegalStateException("latePolicy SIDE_OUTPUT needs a lateSink");
            }
            return new EventTimeReorderer<>(this, sink);
        }
    }
}
