package dev.ordo.causal;

import dev.ordo.Arguments;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A hybrid logical clock (Kulkarni et al., 2014): timestamps that stay close to physical time,
 * never go backwards, and respect causality like a Lamport clock, so that sorting by them gives an
 * order every node agrees on and that no reply precedes its question.
 *
 * <p>{@link #now()} stamps a local event or send; {@link #update(HybridTimestamp)} merges a
 * received timestamp. A received timestamp more than {@code maxDrift} ahead of the local physical
 * clock is refused with {@link ClockDriftException} instead of dragging this clock into the future.
 *
 * <pre>{@code
 * HybridLogicalClock clock = new HybridLogicalClock(System::currentTimeMillis, Duration.ofSeconds(1));
 * HybridTimestamp sent = clock.now();
 * clock.update(received.timestamp());
 * }</pre>
 *
 * Thread-safe (synchronized; an HLC update is a handful of comparisons).
 */
public final class HybridLogicalClock {

    private final LongSupplier physicalClock;
    private final long maxDriftMillis;
    private long physical;
    private int logical;

    /**
     * @param physicalClock milliseconds since the epoch (injectable for tests)
     * @param maxDrift how far ahead of the local physical clock a remote timestamp may be
     */
    public HybridLogicalClock(LongSupplier physicalClock, Duration maxDrift) {
        this.physicalClock = Objects.requireNonNull(physicalClock, "physicalClock must not be null");
        Arguments.nonNegative("maxDrift", maxDrift);
        this.maxDriftMillis = maxDrift.toMillis();
    }

    /** A clock on {@link System#currentTimeMillis()} refusing remote timestamps over 1 s ahead. */
    public static HybridLogicalClock system() {
        return new HybridLogicalClock(System::currentTimeMillis, Duration.ofSeconds(1));
    }

    /** The timestamp for a local event or a send. */
    public synchronized HybridTimestamp now() {
        long wall = physicalClock.getAsLong();
        if (wall > physical) {
            physical = wall;
            logical = 0;
        } else {
            incrementLogical();
        }
        return new HybridTimestamp(physical, logical);
    }

    /**
     * Merges a received timestamp and returns the timestamp of the receive event, which is after
     * both the remote timestamp and every earlier local one.
     *
     * @throws ClockDriftException if {@code remote} is more than {@code maxDrift} ahead of the
     *         local physical clock; the clock is unchanged
     */
    public synchronized HybridTimestamp update(HybridTimestamp remote) {
        Objects.requireNonNull(remote, "remote must not be null");
        long wall = physicalClock.getAsLong();
        if (remote.physical() - wall > maxDriftMillis) {
            throw new ClockDriftException(remote, wall, maxDriftMillis);
        }
        long previous = physical;
        physical = Math.max(Math.max(previous, remote.physical()), wall);
        if (physical == previous && physical == remote.physical()) {
            logical = Math.max(logical, remote.logical());
            incrementLogical();
        } else if (physical == previous) {
            incrementLogical();
        } else if (physical == remote.physical()) {
            logical = remote.logical();
            incrementLogical();
        } else {
            logical = 0;
        }
        return new HybridTimestamp(physical, logical);
    }

    private void incrementLogical() {
        if (logical == HybridTimestamp.MAX_LOGICAL) {
            // 65,536 events in one millisecond without the physical clock moving: borrow the next
            // millisecond rather than overflow (the clock then runs 1 ms ahead until time catches up).
            physical++;
            logical = 0;
        } else {
            logical++;
        }
    }
}
