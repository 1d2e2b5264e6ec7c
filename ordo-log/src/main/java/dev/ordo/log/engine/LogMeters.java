package dev.ordo.log.engine;

import dev.ordo.log.storage.PartitionLog;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The engine's meters per partition (tags {@code topic}, {@code partition}), like Kafka's log
 * metrics, in every registry bound: they follow topics created and deleted, and go when the engine
 * closes. Not thread-safe: the engine's monitor guards it.
 */
final class LogMeters {

    private final List<MeterRegistry> registries = new ArrayList<>();
    /** Each topic's records appended per second, per partition, as the engine last measured them. */
    private final Function<String, double[]> rates;
    /** The same in bytes. */
    private final Function<String, double[]> byteRates;

    LogMeters(Function<String, double[]> rates, Function<String, double[]> byteRates) {
        this.rates = rates;
        this.byteRates = byteRates;
    }
    /** Each topic's meters, in every bound registry. */
    private final Map<String, List<Meter>> meters = new HashMap<>();

    /** Binds {@code registry}: the meters of {@code topics} (name to partitions) now, of later topics when created. */
    void bind(MeterRegistry registry, Map<String, List<PartitionLog>> topics) {
        registries.add(registry);
        topics.forEach((name, partitions) -> register(registry, name, partitions, 0));
    }

    /** A topic created: its meters in every bound registry. */
    void created(String name, List<PartitionLog> partitions) {
        grown(name, partitions, 0);
    }

    /** A topic's partitions from {@code from} on are new: their meters in every bound registry. */
    void grown(String name, List<PartitionLog> partitions, int from) {
        for (MeterRegistry registry : registries) {
            register(registry, name, partitions, from);
        }
    }

    /** A topic deleted (or the engine closing): its meters leave every bound registry. */
    void deleted(String name) {
        List<Meter> registered = meters.remove(name);
        if (registered != null) {
            for (Meter meter : registered) {
                for (MeterRegistry registry : registries) {
                    registry.remove(meter);
                }
            }
        }
    }

    /** The engine closes: every meter leaves. */
    void removeAll() {
        for (String name : List.copyOf(meters.keySet())) {
            deleted(name);
        }
    }

    private void register(MeterRegistry registry, String name, List<PartitionLog> partitions, int from) {
        List<Meter> registered = meters.computeIfAbsent(name, n -> new ArrayList<>());
        for (int p = from; p < partitions.size(); p++) {
            PartitionLog log = partitions.get(p);
            Tags tags = Tags.of("topic", name, "partition", String.valueOf(p));
            registered.add(Gauge.builder("ordo.log.end.offset", log, PartitionLog::readableEnd)
                    .tags(tags)
                    .description("offset after the last record readers can read")
                    .register(registry));
            registered.add(Gauge.builder("ordo.log.start.offset", log, PartitionLog::startOffset)
                    .tags(tags)
                    .description("first offset still in the log")
                    .register(registry));
            registered.add(Gauge.builder("ordo.log.size", log, PartitionLog::sizeInBytes)
                    .tags(tags)
                    .baseUnit("bytes")
                    .description("bytes of the partition's segments")
                    .register(registry));
            registered.add(Gauge.builder("ordo.log.segments", log, PartitionLog::segmentCount)
                    .tags(tags)
                    .description("segments of the partition")
                    .register(registry));
            int partition = p;
            registered.add(Gauge.builder("ordo.log.partition.records.rate", rates, r -> {
                        double[] now = r.apply(name);
                        return partition < now.length ? now[partition] : 0;
                    })
                    .tags(tags)
                    .description("records appended per second, measured every second")
                    .register(registry));
            registered.add(Gauge.builder("ordo.log.partition.bytes.rate", byteRates, r -> {
                        double[] now = r.apply(name);
                        return partition < now.length ? now[partition] : 0;
                    })
                    .tags(tags)
                    .baseUnit("bytes")
                    .description("bytes appended per second, measured every second")
                    .register(registry));
            // The settings in force, so that a change by alterTopic shows where the partition's other meters do.
            registered.add(Gauge.builder(
                            "ordo.log.config.segment.bytes",
                            log,
                            l -> l.config().segmentBytes())
                    .tags(tags)
                    .baseUnit("bytes")
                    .description("the size at which the partition rolls its segment")
                    .register(registry));
            registered.add(Gauge.builder(
                            "ordo.log.config.retention.bytes",
                            log,
                            l -> l.config().retention().maxBytes())
                    .tags(tags)
                    .baseUnit("bytes")
                    .description("the bytes retention keeps per partition, -1 for no limit")
                    .register(registry));
            registered.add(Gauge.builder("ordo.log.config.fsync.every.batch", log, l -> l.syncsEveryBatch() ? 1 : 0)
                    .tags(tags)
                    .description("1 while the partition forces every batch before acknowledging it")
                    .register(registry));
            registered.add(
                    Gauge.builder("ordo.log.offline", log, l -> l.offlineCause().isPresent() ? 1 : 0)
                            .tags(tags)
                            .description("1 once a failed force took the partition offline")
                            .register(registry));
        }
    }
}
