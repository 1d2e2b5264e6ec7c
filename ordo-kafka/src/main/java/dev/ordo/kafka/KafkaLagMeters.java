package dev.ordo.kafka;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;
import java.util.function.IntToLongFunction;

/**
 * The per-partition meters of a {@link KafkaOrdoConsumer}, which come and go with its assignment:
 * {@code ordo.consumer.lag} (records not yet committed) and {@code ordo.consumer.fetch.lag} (not yet
 * fetched), read from what the last fetch said of the log's end, and {@code
 * ordo.consumer.handler.seconds}. Poll thread only.
 */
final class KafkaLagMeters {

    private final MeterRegistry registry;
    private final Tags tags;
    private final Map<Integer, List<Meter>> meters = new HashMap<>();
    /** Seconds the handler spent on a partition's records. */
    private final IntToDoubleFunction handlerSeconds;

    KafkaLagMeters(MeterRegistry registry, Tags tags, IntToDoubleFunction handlerSeconds) {
        this.registry = registry;
        this.tags = tags;
        this.handlerSeconds = handlerSeconds;
    }

    /** Registers the partition's gauges if it has none yet. */
    void track(int partition, IntToLongFunction committedLag, Map<Integer, Long> fetchLags) {
        if (meters.containsKey(partition)) {
            return;
        }
        Tags partitionTags = tags.and("partition", String.valueOf(partition));
        meters.put(
                partition,
                List.of(
                        Gauge.builder("ordo.consumer.lag", () -> committedLag.applyAsLong(partition))
                                .tags(partitionTags)
                                .description("records in the partition not yet committed by the group")
                                .register(registry),
                        Gauge.builder("ordo.consumer.fetch.lag", () -> fetchLags.getOrDefault(partition, -1L))
                                .tags(partitionTags)
                                .description("records in the partition not yet fetched")
                                .register(registry),
                        FunctionCounter.builder(
                                        "ordo.consumer.handler.seconds",
                                        handlerSeconds,
                                        h -> h.applyAsDouble(partition))
                                .tags(partitionTags)
                                .description("seconds the handler spent on the partition's records")
                                .baseUnit("seconds")
                                .register(registry)));
    }

    /** Removes the gauges of a partition this consumer no longer owns. */
    void forget(int partition) {
        List<Meter> gone = meters.remove(partition);
        if (gone != null) {
            gone.forEach(registry::remove);
        }
    }
}
