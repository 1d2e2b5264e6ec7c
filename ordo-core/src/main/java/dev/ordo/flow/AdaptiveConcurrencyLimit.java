package dev.ordo.flow;

import dev.ordo.Arguments;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A concurrency limit that follows measured latency against a target, by additive increase and
 * multiplicative decrease (the rule TCP uses for its congestion window): after every window of
 * completed calls, if their mean latency is above {@code targetLatency} the limit shrinks by
 * {@code backoffRatio}, otherwise, if the limit was actually used, it grows by one.
 *
 * <p>When a downstream slows down, the calls it holds pile up inside it and latency climbs; a
 * fixed concurrency keeps feeding it, this limit stops doing so and lets latency come back to the
 * target while the producer is slowed by the pipeline's budget.
 *
 * <p>Why not Netflix {@code concurrency-limits-core}: its {@code AIMDLimit} applies much the same
 * rule (shrink when a call exceeds a timeout), but its limiter hands out non-blocking
 * {@code Optional<Listener>} tokens, so the executor would still need its own blocking gate around
 * it, and ordo-core keeps its dependencies to SLF4J, Jackson and Micrometer. The rule here is a
 * few lines with its own tests; swapping in the library later only touches this class.
 *
 * <pre>{@code
 * AdaptiveConcurrencyLimit limit = AdaptiveConcurrencyLimit.targeting(Duration.ofMillis(20)).withBounds(1, 256);
 * KeyOrderedExecutor.<String>builder().concurrency(256).concurrencyLimit(limit)...
 * }</pre>
 *
 * Thread-safe.
 */
public final class AdaptiveConcurrencyLimit {

    private final long targetNanos;
    private final int minLimit;
    private final int maxLimit;
    private final int window;
    private final double backoffRatio;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition slotFreed = lock.newCondition();
    private double limit;
    private int inFlight;
    private int maxInFlightInWindow;
    private long windowLatencySum;
    private int windowSamples;

    private AdaptiveConcurrencyLimit(
            long targetNanos, int minLimit, int maxLimit, int initial, int window, double backoffRatio) {
        this.targetNanos = targetNanos;
        this.minLimit = minLimit;
        this.maxLimit = maxLimit;
        this.window = window;
        this.backoffRatio = backoffRatio;
        this.limit = initial;
    }

    /** A limit aiming at {@code targetLatency} per call; bounds 1..1000, starting at 16, windows of 32 calls. */
    public static AdaptiveConcurrencyLimit targeting(Duration targetLatency) {
        Arguments.positive("targetLatency", targetLatency);
        return new AdaptiveConcurrencyLimit(targetLatency.toNanos(), 1, 1000, 16, 32, 0.9);
    }

    /** The limit stays within [min, max] and starts at the smaller of 16 and max. */
    public AdaptiveConcurrencyLimit withBounds(int min, int max) {
        if (min < 1 || max < min) {
            throw new IllegalArgumentException("bounds must satisfy 1 <= min <= max, were " + min + " and " + max);
        }
        return new AdaptiveConcurrencyLimit(
                targetNanos, min, max, Math.max(min, Math.min(16, max)), window, backoffRatio);
    }

    /** Calls per adjustment window (default 32). */
    public AdaptiveConcurrencyLimit withWindow(int calls) {
        if (calls < 1) {
            throw new IllegalArgumentException("window must be >= 1 call, was " + calls);
        }
        return new AdaptiveConcurrencyLimit(targetNanos, minLimit, maxLimit, (int) limit, calls, backoffRatio);
    }

    /** Waits until a call may start under the current limit. */
    public void acquire() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (inFlight >= (int) limit) {
                slotFreed.await();
            }
            inFlight++;
            maxInFlightInWindow = Math.max(maxInFlightInWindow, inFlight);
        } finally {
            lock.unlock();
        }
    }

    /** Reports a finished call and its latency; adjusts the limit at the end of each window. */
    public void release(long latencyNanos) {
        lock.lock();
        try {
            inFlight--;
            windowLatencySum += Math.max(0, latencyNanos);
            if (++windowSamples >= window) {
                adjust(windowLatencySum / windowSamples);
                windowSamples = 0;
                windowLatencySum = 0;
                maxInFlightInWindow = inFlight;
            }
            slotFreed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The limit now. */
    public int limit() {
        lock.lock();
        try {
            return (int) limit;
        } finally {
            lock.unlock();
        }
    }

    /** Calls running now. */
    public int inFlight() {
        lock.lock();
        try {
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    /** One step of the rule; visible for tests. */
    void adjust(long meanLatencyNanos) {
        if (meanLatencyNanos > targetNanos) {
            limit = Math.max(minLimit, limit * backoffRatio);
        } else if (maxInFlightInWindow >= (int) limit) {
            limit = Math.min(maxLimit, limit + 1);
        }
    }

    /** The mean latency target in milliseconds, for display. */
    public double targetMillis() {
        return targetNanos / (double) TimeUnit.MILLISECONDS.toNanos(1);
    }
}
