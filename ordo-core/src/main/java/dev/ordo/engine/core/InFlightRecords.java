package dev.ordo.engine.core;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link RecordDispatcher}'s records in flight (dispatched, not done), their peak, and the bound the
 * engine keeps them under: {@code maxInFlight}, and the resume mark at three quarters of it where a paused
 * fetch goes on (one threshold for both engines). The bound may change while records are in flight
 * ({@link dev.ordo.engine.RecordConsumer#reconfigure}); bound and mark change together. Thread-safe.
 */
final class InFlightRecords {

    private final AtomicLong count = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private volatile Bound bound;

    InFlightRecords(long maxInFlight) {
        this.bound = new Bound(maxInFlight);
    }

    /** Counts {@code records} more dispatched; returns how many are in flight now. */
    long added(long records) {
        long now = count.addAndGet(records);
        peak.accumulateAndGet(now, Math::max);
        return now;
    }

    /** Counts one done; returns how many are left. */
    long done() {
        return count.decrementAndGet();
    }

    /** Counts {@code records} done at once (let go without being handled); returns how many are left. */
    long done(long records) {
        return count.addAndGet(-records);
    }

    long get() {
        return count.get();
    }

    long peak() {
        return peak.get();
    }

    long max() {
        return bound.max;
    }

    long resumeAt() {
        return bound.resumeAt;
    }

    void max(long maxInFlight) {
        bound = new Bound(maxInFlight);
    }

    boolean full() {
        return count.get() >= bound.max;
    }

    boolean resumable() {
        return count.get() <= bound.resumeAt;
    }

    long room() {
        return Math.max(0, bound.max - count.get());
    }

    /** A bound and its resume mark, read together. */
    private static final class Bound {
        final long max;
        final long resumeAt;

        Bound(long max) {
            this.max = max;
            this.resumeAt = max - Math.max(1, max / 4);
        }
    }
}
