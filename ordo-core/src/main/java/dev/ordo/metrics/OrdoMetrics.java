package dev.ordo.metrics;

import dev.ordo.causal.CausalDeliveryBuffer;
import dev.ordo.exec.ExecutorStats;
import dev.ordo.exec.KeyOrderedExecutor;
import dev.ordo.sequence.Resequencer;
import dev.ordo.sequence.ResequencerStats;
import dev.ordo.time.EventTimeReorderer;
import dev.ordo.time.EventTimeStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for Ordo's stages, with one naming scheme: {@code ordo.<stage kind>.<what>},
 * tagged {@code stage=<name>} (plus any tags given). Counters are monotonic function counters
 * read from the stage's own statistics at scrape time, so binding costs nothing on the hot path.
 *
 * <pre>{@code
 * OrdoMetrics.resequencer(resequencer, "ledger").bindTo(registry);
 * OrdoMetrics.executor(executor, "ledger").bindTo(registry);
 * }</pre>
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>stage</th><th>counters</th><th>gauges</th></tr>
 *   <tr><td>resequencer</td><td>released, duplicates, late, gaps, skipped, skipped.by.operator,
 *       redelivery.requests, failed.gaps, refused, halt.alerts</td>
 *       <td>buffered, buffered.bytes, oldest.gap.age (seconds), halted (sources)</td></tr>
 *   <tr><td>executor</td><td>submitted, succeeded, retries, dead.lettered</td>
 *       <td>in.flight, in.flight.bytes, active.keys</td></tr>
 *   <tr><td>eventtime</td><td>released, late, dropped, forced.advances, refused</td>
 *       <td>buffered, buffered.bytes, watermark, bound</td></tr>
 *   <tr><td>causal</td><td>delivered, duplicates</td><td>buffered</td></tr>
 * </table>
 */
public final class OrdoMetrics {

    private OrdoMetrics() {}

    /** Meters of a {@link Resequencer} as {@code ordo.resequencer.*}. */
    public static MeterBinder resequencer(Resequencer<?, ?> resequencer, String stage, String... tags) {
        return registry -> {
            Binder<Resequencer<?, ?>, ResequencerStats> b =
                    new Binder<>(registry, "ordo.resequencer", stage, tags, resequencer, Resequencer::stats);
            b.counter("released", ResequencerStats::released, "messages released in order");
            b.counter("duplicates", ResequencerStats::duplicates, "duplicates dropped");
            b.counter("late", ResequencerStats::late, "messages that arrived after being skipped");
            b.counter("gaps", ResequencerStats::gapsDetected, "runs of missing sequence numbers noticed");
            b.counter("skipped", ResequencerStats::skipped, "sequence numbers given up on");
            b.counter(
                    "skipped.by.operator",
                    ResequencerStats::skippedByOperator,
                    "sequence numbers given up on by an operator's skip or at the end of a stream");
            b.counter("redelivery.requests", ResequencerStats::redeliveryRequests, "ranges requested again");
            b.counter("failed.gaps", ResequencerStats::failedGaps, "gaps declared fatal");
            b.counter("refused", ResequencerStats::refused, "messages not taken for lack of room, to be offered again");
            b.counter("halt.alerts", ResequencerStats::haltAlerts, "critical alerts: sources halted by a strict gap");
            b.gauge("halted", s -> s.halted(), "sources halted by a strict gap policy now");
            b.gauge("buffered", s -> s.buffered(), "messages held back");
            b.gauge("buffered.bytes", s -> s.bufferedBytes(), "bytes held back");
            Gauge.builder("ordo.resequencer.oldest.gap.age", resequencer, r -> r.oldestGapAgeNanos() / 1e9)
                    .description("seconds the oldest gap at the head of a source has been open")
                    .baseUnit("seconds")
                    .tags(Tags.of(tags).and("stage", stage))
                    .register(registry);
        };
    }

    /** Meters of a {@link KeyOrderedExecutor} as {@code ordo.executor.*}. */
    public static MeterBinder executor(KeyOrderedExecutor<?> executor, String stage, String... tags) {
        return registry -> {
            Binder<KeyOrderedExecutor<?>, ExecutorStats> b =
                    new Binder<>(registry, "ordo.executor", stage, tags, executor, KeyOrderedExecutor::stats);
            b.counter("submitted", ExecutorStats::submitted, "tasks accepted");
            b.counter("succeeded", ExecutorStats::succeeded, "tasks that succeeded");
            b.counter("retries", ExecutorStats::retries, "failed attempts tried again");
            b.counter("dead.lettered", ExecutorStats::deadLettered, "tasks handed to the dead-letter handler");
            b.counter("skipped", ExecutorStats::skipped, "tasks given up on after failing every attempt");
            b.counter("parkings", ExecutorStats::parkings, "times a key was parked at a failing task");
            b.gauge("parked.keys", s -> s.parkedKeys(), "keys parked now, each at a task that failed every attempt");
            b.gauge("in.flight", s -> s.inFlight(), "tasks accepted and unfinished");
            b.gauge("in.flight.bytes", s -> s.inFlightBytes(), "declared bytes in flight");
            b.gauge("active.keys", s -> s.activeKeys(), "keys with queued or running work");
        };
    }

    /** Meters of an {@link EventTimeReorderer} as {@code ordo.eventtime.*}. */
    public static MeterBinder eventTime(EventTimeReorderer<?, ?> reorderer, String stage, String... tags) {
        return registry -> {
            Binder<EventTimeReorderer<?, ?>, EventTimeStats> b =
                    new Binder<>(registry, "ordo.eventtime", stage, tags, reorderer, EventTimeReorderer::stats);
            b.counter("released", EventTimeStats::released, "events released in order");
            b.counter("late", EventTimeStats::late, "late events handled by the late policy");
            b.counter("dropped", EventTimeStats::droppedTooLate, "events beyond the allowed lateness");
            b.counter("forced.advances", EventTimeStats::forcedAdvances, "watermark advances forced by overflow");
            b.counter("refused", EventTimeStats::refused, "events not taken for lack of room, to be offered again");
            b.gauge("buffered", s -> s.buffered(), "events held back");
            b.gauge("buffered.bytes", s -> s.bufferedBytes(), "bytes held back");
            b.gauge(
                    "watermark",
                    s -> s.watermark() == Long.MIN_VALUE ? Double.NaN : s.watermark(),
                    "current watermark (ms)");
            b.gauge("bound", s -> s.boundMillis(), "out-of-orderness bound in use (ms)");
        };
    }

    /** Meters of a {@link CausalDeliveryBuffer} as {@code ordo.causal.*}. */
    public static MeterBinder causal(CausalDeliveryBuffer<?> buffer, String stage, String... tags) {
        return registry -> {
            Binder<CausalDeliveryBuffer<?>, CausalDeliveryBuffer<?>> b =
                    new Binder<>(registry, "ordo.causal", stage, tags, buffer, Function.identity());
            b.counter("delivered", CausalDeliveryBuffer::deliveredCount, "messages delivered in causal order");
            b.counter("duplicates", CausalDeliveryBuffer::duplicates, "duplicates dropped");
            b.gauge("buffered", CausalDeliveryBuffer::buffered, "messages waiting for a dependency");
        };
    }

    /**
     * Registers meters of one stage that read a fresh statistics snapshot at each scrape. As usual
     * in Micrometer the registry holds the stage weakly: its meters read NaN once it is collected.
     */
    private static final class Binder<O, S> {
        private final MeterRegistry registry;
        private final String prefix;
        private final Tags tags;
        private final O stage;
        private final Function<O, S> stats;

        Binder(
                MeterRegistry registry,
                String prefix,
                String stageName,
                String[] extraTags,
                O stage,
                Function<O, S> stats) {
            this.registry = registry;
            this.prefix = prefix;
            this.tags = Tags.of(extraTags).and("stage", stageName);
            this.stage = stage;
            this.stats = stats;
        }

        void counter(String name, Function<S, Long> value, String description) {
            FunctionCounter.builder(prefix + "." + name, stage, o -> value.apply(stats.apply(o)))
                    .description(description)
                    .tags(tags)
                    .register(registry);
        }

        void gauge(String name, ToDoubleFunction<S> value, String description) {
            Gauge.builder(prefix + "." + name, stage, o -> value.applyAsDouble(stats.apply(o)))
                    .description(description)
                    .tags(tags)
                    .register(registry);
        }
    }
}
