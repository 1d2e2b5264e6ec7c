package dev.ordo.engine.core;

import dev.ordo.engine.ConsumerStats;
import dev.ordo.metrics.OrdoMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

/**
 * The meters every consumer has, whatever its engine, read from its {@link RecordDispatcher} at scrape
 * time: the handler stage's {@code ordo.executor.*} and {@code ordo.consumer.*} for what happened to
 * records. Engines add their own (lag per partition, fence waits). For engine implementations.
 */
public final class ConsumerMeters {

    private ConsumerMeters() {}

    /** Binds the dispatcher's meters, tagged {@code tags} (topic, group, and the engine's own). */
    public static void bind(MeterRegistry registry, RecordDispatcher<?, ?> dispatcher, String stage, Tags tags) {
        String[] flat =
                tags.stream().flatMap(t -> Stream.of(t.getKey(), t.getValue())).toArray(String[]::new);
        OrdoMetrics.executor(dispatcher.executor(), stage, flat).bindTo(registry);
        counter(
                registry,
                dispatcher,
                "ordo.consumer.handled",
                ConsumerStats::handled,
                tags,
                "records whose handler succeeded");
        counter(
                registry,
                dispatcher,
                "ordo.consumer.skipped",
                ConsumerStats::skipped,
                tags,
                "records given up on after failing every attempt (policy SKIP or an explicit skip)");
        counter(
                registry,
                dispatcher,
                "ordo.consumer.dead.lettered",
                ConsumerStats::deadLettered,
                tags,
                "records copied to the dead-letter topic");
        counter(
                registry,
                dispatcher,
                "ordo.consumer.already.handled",
                ConsumerStats::alreadyHandled,
                tags,
                "records not handled again because an earlier owner had handled them");
        counter(
                registry,
                dispatcher,
                "ordo.consumer.heartbeats",
                ConsumerStats::heartbeats,
                tags,
                "producer heartbeats read (never handed to the handler)");
        Gauge.builder("ordo.consumer.parked.keys", dispatcher, d -> d.stats().parkedKeys())
                .description("keys parked now at a record that failed every attempt")
                .tags(tags)
                .register(registry);
        Gauge.builder("ordo.consumer.stalled.seconds", dispatcher, RecordDispatcher::stalledSeconds)
                .description("seconds since a record last finished while records wait (0 when none waits)")
                .baseUnit("seconds")
                .tags(tags)
                .register(registry);
    }

    private static void counter(
            MeterRegistry registry,
            RecordDispatcher<?, ?> dispatcher,
            String name,
            ToLongFunction<ConsumerStats> value,
            Tags tags,
            String description) {
        FunctionCounter.builder(name, dispatcher, d -> value.applyAsLong(d.stats()))
                .description(description)
                .tags(tags)
                .register(registry);
    }
}
