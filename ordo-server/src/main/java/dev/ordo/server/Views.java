package dev.ordo.server;

import dev.ordo.engine.ConsumerStats;
import dev.ordo.engine.Explanation;
import dev.ordo.engine.KeyInFlight;
import dev.ordo.engine.Lag;
import dev.ordo.engine.ParkedRecord;
import dev.ordo.engine.RecordConsumer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** The JSON shapes of the server's answers: plain records of text and numbers, durations in milliseconds. */
final class Views {

    private Views() {}

    record ConsumerView(
            String name,
            String topic,
            String group,
            Set<Integer> assignment,
            ConsumerStats stats,
            long lagRecords,
            long lagMillis,
            int concurrency,
            long maxInFlight,
            int keysInFlight,
            int stuckKeys,
            String failure,
            Latency waitMillis,
            Latency handlerMillis) {}

    /** A latency timer's mean and maximum in milliseconds (the maximum over the timer's recent window). */
    record Latency(double mean, double max, long count) {}

    record KeyView(
            int partition,
            long offset,
            String key,
            String state,
            long sinceMillis,
            int attempts,
            String lastError,
            int waitingBehind,
            boolean stuck) {}

    record ParkedView(
            int partition,
            long offset,
            String key,
            String error,
            int attempts,
            long parkedForMillis,
            int waitingBehind) {}

    /** A key's explanation, or a record's ({@code record} is then {@code topic-partition@offset}). */
    record ExplainView(String key, String record, String status, KeyView head, List<String> reasons, String text) {}

    static ConsumerView consumer(String name, RecordConsumer consumer, Duration stuckAfter, MeterRegistry registry) {
        List<KeyInFlight> keys = consumer.keysInFlight();
        Lag lag = consumer.lag();
        return new ConsumerView(
                name,
                consumer.topic(),
                consumer.group(),
                consumer.assignment(),
                consumer.stats(),
                lag.records(),
                lag.time().toMillis(),
                consumer.tuning().concurrency(),
                consumer.tuning().maxInFlight(),
                keys.size(),
                (int) keys.stream().filter(k -> isStuck(k, stuckAfter)).count(),
                consumer.failure().map(Throwable::toString).orElse(null),
                latency(registry, "ordo.consumer.wait", consumer),
                latency(registry, "ordo.consumer.handler.time", consumer));
    }

    private static Latency latency(MeterRegistry registry, String name, RecordConsumer consumer) {
        if (registry == null) {
            return null;
        }
        Timer timer = registry.find(name)
                .tags("topic", consumer.topic(), "group", consumer.group())
                .timer();
        return timer == null
                ? null
                : new Latency(timer.mean(TimeUnit.MILLISECONDS), timer.max(TimeUnit.MILLISECONDS), timer.count());
    }

    static KeyView key(KeyInFlight k, Duration stuckAfter) {
        return new KeyView(
                k.partition(),
                k.offset(),
                k.key(),
                k.state().name(),
                k.since().toMillis(),
                k.attempts(),
                k.lastError(),
                k.waitingBehind(),
                isStuck(k, stuckAfter));
    }

    static ParkedView parked(ParkedRecord p) {
        return new ParkedView(
                p.partition(),
                p.offset(),
                p.key(),
                String.valueOf(p.error()),
                p.attempts(),
                p.parkedFor().toMillis(),
                p.waitingBehind());
    }

    static ExplainView explain(Explanation e, Duration stuckAfter) {
        return new ExplainView(
                e.key(),
                e.record(),
                e.status().name(),
                e.head() == null ? null : key(e.head(), stuckAfter),
                e.reasons(),
                e.toString());
    }

    /** Parked, or in progress for at least {@code stuckAfter}. */
    static boolean isStuck(KeyInFlight k, Duration stuckAfter) {
        return k.state() == dev.ordo.exec.KeyInProgress.State.PARKED
                || k.since().compareTo(stuckAfter) >= 0;
    }
}
