package dev.ordo.engine;

import dev.ordo.Arguments;
import dev.ordo.exec.Retry;
import java.util.Objects;

/**
 * The settings of a running consumer that {@link RecordConsumer#reconfigure} changes without a restart:
 * how many handler threads, how many records in flight at most, how a failing record is tried again.
 * Each value is checked here, so a bad one is refused before anything changes.
 *
 * <pre>{@code
 * consumer.reconfigure(t -> t.withConcurrency(64).withMaxInFlight(50_000));
 * }</pre>
 *
 * @param concurrency handler threads, 1 to {@value #MAX_CONCURRENCY}
 * @param maxInFlight records fetched and not yet handled, at most; 1 to {@value #MAX_IN_FLIGHT}
 * @param retry how a failing record is tried again, its key blocked meanwhile
 */
public record ConsumerTuning(int concurrency, long maxInFlight, Retry retry) {

    /** The most handler threads a consumer may have. */
    public static final int MAX_CONCURRENCY = 10_000;

    /** The most records a consumer may hold in flight. */
    public static final long MAX_IN_FLIGHT = 10_000_000L;

    /** @throws IllegalArgumentException naming the field and the value if one is out of range */
    public ConsumerTuning {
        Arguments.atLeast("concurrency", concurrency, 1);
        Arguments.atMost("concurrency", concurrency, MAX_CONCURRENCY);
        Arguments.atLeast("maxInFlight", maxInFlight, 1);
        Arguments.atMost("maxInFlight", maxInFlight, MAX_IN_FLIGHT);
        Objects.requireNonNull(retry, "retry must not be null");
    }

    /** These settings with {@code concurrency} handler threads. */
    public ConsumerTuning withConcurrency(int concurrency) {
        return new ConsumerTuning(concurrency, maxInFlight, retry);
    }

    /** These settings with at most {@code maxInFlight} records in flight. */
    public ConsumerTuning withMaxInFlight(long maxInFlight) {
        return new ConsumerTuning(concurrency, maxInFlight, retry);
    }

    /** These settings with {@code retry}. */
    public ConsumerTuning withRetry(Retry retry) {
        return new ConsumerTuning(concurrency, maxInFlight, retry);
    }
}
