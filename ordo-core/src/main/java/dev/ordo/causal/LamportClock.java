package dev.ordo.causal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Lamport's logical clock: a counter that every local event increments and every received
 * timestamp pushes forward, so that if event a happened before event b then
 * {@code time(a) < time(b)} (the converse does not hold; use a {@link VectorClock} for that).
 *
 * <pre>{@code
 * long t = clock.tick();          // stamp an outgoing message
 * clock.update(message.time());   // on receipt
 * }</pre>
 *
 * Thread-safe and lock-free.
 */
public final class LamportClock {

    private final AtomicLong time = new AtomicLong();

    /** The current time without advancing it. */
    public long current() {
        return time.get();
    }

    /** Advances for a local event (or a send) and returns the new time. */
    public long tick() {
        return time.incrementAndGet();
    }

    /** Merges a received timestamp: the clock becomes {@code max(local, received) + 1}, returned. */
    public long update(long received) {
        if (received < 0) {
            throw new IllegalArgumentException("received time must be >= 0, was " + received);
        }
        return time.updateAndGet(local -> Math.max(local, received) + 1);
    }
}
