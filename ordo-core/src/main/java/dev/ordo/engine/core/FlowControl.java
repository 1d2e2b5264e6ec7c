package dev.ordo.engine.core;

import dev.ordo.flow.AdaptiveConcurrencyLimit;
import dev.ordo.flow.RateLimiter;

/**
 * A consumer's optional throttles on its handlers: an adaptive concurrency limit that follows measured
 * handler latency against a target, and a rate limit in records per second. Either may be null (off).
 *
 * @param concurrencyLimit at most this many handlers at once, adapted to latency; null for the plain
 *     {@code concurrency}
 * @param rateLimit records started per second across the consumer's handlers; null for no limit
 */
public record FlowControl(AdaptiveConcurrencyLimit concurrencyLimit, RateLimiter rateLimit) {

    /** No throttle beyond {@code concurrency} and {@code maxInFlight}. */
    public static final FlowControl NONE = new FlowControl(null, null);
}
