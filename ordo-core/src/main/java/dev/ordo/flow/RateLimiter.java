package dev.ordo.flow;

import dev.ordo.OrdoInterruptedException;
import dev.ordo.Ticker;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A token bucket: {@code rate} permits a second, up to {@code burst} saved up, with the rate
 * changeable at runtime (an operator turning a knob, or a controller following a downstream
 * signal).
 *
 * <pre>{@code
 * RateLimiter limiter = RateLimiter.perSecond(5_000).withBurst(500);
 * limiter.acquire(1);                  // waits for a permit
 * if (!limiter.tryAcquire(10)) { ... } // or asks
 * limiter.setRate(20_000);             // takes effect at once
 * }</pre>
 *
 * Thread-safe (synchronized; a refill is a multiplication).
 */
public final class RateLimiter {

    private final Ticker ticker;
    private final double burst;
    private double permitsPerNano;
    private double tokens;
    private long refilledAt;

    private RateLimiter(double perSecond, double burst, Ticker ticker) {
        this.ticker = ticker;
        this.burst = burst;
        this.permitsPerNano = requireRate(perSecond) / 1e9;
        this.tokens = burst;
        this.refilledAt = ticker.read();
    }

    /** A limiter of {@code perSecond} permits a second with a burst of one second's worth (at least 1). */
    public static RateLimiter perSecond(double perSecond) {
        return new RateLimiter(perSecond, Math.max(1, requireRate(perSecond)), Ticker.system());
    }

    /** The same rate with at most {@code burst} permits saved up (the bucket starts full). */
    public RateLimiter withBurst(double burst) {
        if (!(burst >= 1)) {
            throw new IllegalArgumentException("burst must be >= 1, was " + burst);
        }
        return new RateLimiter(rate(), burst, ticker);
    }

    /** The same limiter on another clock (tests use a {@link dev.ordo.ManualTicker}). */
    public RateLimiter withTicker(Ticker ticker) {
        return new RateLimiter(rate(), burst, Objects.requireNonNull(ticker, "ticker must not be null"));
    }

    /** Takes {@code permits} if available now. */
    public synchronized boolean tryAcquire(int permits) {
        checkPermits(permits);
        refill();
        if (tokens < permits) {
            return false;
        }
        tokens -= permits;
        return true;
    }

    /** How long until {@code permits} would be available, in nanoseconds (0 if now). */
    public synchronized long nanosUntilAvailable(int permits) {
        checkPermits(permits);
        refill();
        return tokens >= permits ? 0 : (long) Math.ceil((permits - tokens) / permitsPerNano);
    }

    /** Takes {@code permits}, parking the thread as long as needed; returns the nanoseconds waited. */
    public long acquire(int permits) {
        long waited = 0;
        while (true) {
            long wait;
            synchronized (this) {
                if (tryAcquire(permits)) {
                    return waited;
                }
                wait = nanosUntilAvailable(permits);
            }
            long start = System.nanoTime();
            LockSupport.parkNanos(Math.max(wait, TimeUnit.MICROSECONDS.toNanos(10)));
            waited += System.nanoTime() - start;
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new OrdoInterruptedException(
                        "interrupted while waiting for " + permits + " permits",
                        new InterruptedException("interrupted in LockSupport.parkNanos"));
            }
        }
    }

    /** Changes the rate from now on; permits already saved stay. */
    public synchronized void setRate(double perSecond) {
        refill();
        permitsPerNano = requireRate(perSecond) / 1e9;
    }

    /** Permits a second now. */
    public synchronized double rate() {
        return permitsPerNano * 1e9;
    }

    private void refill() {
        long now = ticker.read();
        tokens = Math.min(burst, tokens + (now - refilledAt) * permitsPerNano);
        refilledAt = now;
    }

    private void checkPermits(int permits) {
        if (permits < 1 || permits > burst) {
            throw new IllegalArgumentException("permits must be in [1, burst (" + burst + ")], was " + permits);
        }
    }

    private static double requireRate(double perSecond) {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("rate must be > 0 permits a second, was " + perSecond);
        }
        return perSecond;
    }
}
