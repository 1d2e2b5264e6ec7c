package dev.ordo.engine.core;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * A consumer's latency timers: {@code ordo.consumer.wait}, from a record's timestamp (its send, unless the
 * producer set another) to its handler's start, and {@code ordo.consumer.handler.time}, the handler's own
 * time per attempt. Together they tell a slow handler from a consumer that is behind.
 */
final class HandlerLatency {

    private final Timer wait;
    private final Timer handler;

    HandlerLatency(MeterRegistry registry, ConsumerSettings<?, ?> settings) {
        this.wait = Timer.builder("ordo.consumer.wait")
                .description("time from a record's timestamp to its handler's start")
                .tags("topic", settings.topic(), "group", settings.group())
                .publishPercentileHistogram()
                .register(registry);
        this.handler = Timer.builder("ordo.consumer.handler.time")
                .description("time the handler took per attempt")
                .tags("topic", settings.topic(), "group", settings.group())
                .publishPercentileHistogram()
                .register(registry);
    }

    /** A handler starts on a record stamped {@code timestampMillis} (negative: no timestamp). */
    void started(long timestampMillis) {
        if (timestampMillis >= 0) {
            wait.record(Math.max(0, System.currentTimeMillis() - timestampMillis), TimeUnit.MILLISECONDS);
        }
    }

    void handled(long elapsedNanos) {
        handler.record(elapsedNanos, TimeUnit.NANOSECONDS);
    }
}
