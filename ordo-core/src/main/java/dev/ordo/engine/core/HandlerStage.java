package dev.ordo.engine.core;

import dev.ordo.Ticker;
import dev.ordo.engine.Headers;
import dev.ordo.engine.KeyInFlight;
import dev.ordo.engine.OnFailure;
import dev.ordo.engine.OrdoHeaders;
import dev.ordo.engine.ParkedRecord;
import dev.ordo.exec.ExecutorStats;
import dev.ordo.exec.FailurePolicy;
import dev.ordo.exec.KeyInProgress;
import dev.ordo.exec.KeyOrderedExecutor;
import dev.ordo.exec.ParkedKey;
import dev.ordo.flow.RateLimiter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The handlers of a {@link RecordDispatcher}: each record a task of a {@link KeyOrderedExecutor} that
 * deserializes it and calls the application's handler, the {@link OnFailure} policy for a record that
 * failed every attempt, and the records parked for it as the operator sees them ({@link ParkedRecord}).
 * The dispatcher keeps what records are in flight and which ownership they belong to.
 *
 * @param <K> the key type handed to the handler
 * @param <V> the value type handed to the handler
 */
final class HandlerStage<K, V> {

    private final ConsumerSettings<K, V> settings;
    private final KeyOrderedExecutor<Object> executor;
    private final Ticker ticker;
    /** Null for a consumer without meters. */
    private final HandlerTime handlerTime;

    /** Null for no rate limit. */
    private final RateLimiter rateLimit;
    /** Null for a consumer without meters. */
    private final HandlerLatency latency;

    /** Told of each record's end: the dispatcher's. */
    private final KeyOrderedExecutor.Completion<RawRecord> onFinished;

    private volatile boolean handling = true;

    /**
     * @param deadLetters where {@link OnFailure#DEAD_LETTER} copies records; may be null otherwise
     * @param onFinished told of each record's end (handled, dead-lettered, skipped, abandoned)
     */
    HandlerStage(
            ConsumerSettings<K, V> settings,
            DeadLetterSink deadLetters,
            String threadName,
            Ticker ticker,
            KeyOrderedExecutor.Completion<RawRecord> onFinished) {
        this.settings = settings;
        this.onFinished = onFinished;
        this.ticker = ticker;
        this.handlerTime = settings.registry() == null ? null : new HandlerTime();
        if (settings.onFailure() == OnFailure.DEAD_LETTER && deadLetters == null) {
            throw new IllegalArgumentException("onFailure DEAD_LETTER needs a dead-letter sink");
        }
        KeyOrderedExecutor.Builder<Object> executorBuilder = KeyOrderedExecutor.builder()
                .concurrency(settings.concurrency())
                // Bounded by the dispatcher (full()/resumable()), not by blocking: an engine's fetching thread
                // must not block.
                .maxInFlight(Long.MAX_VALUE / 2)
                .retry(settings.retry())
                .onFailure(failurePolicy(deadLetters))
                .ticker(ticker)
                .threadName(threadName);
        if (settings.flow().concurrencyLimit() != null) {
            executorBuilder.concurrencyLimit(settings.flow().concurrencyLimit());
        }
        if (settings.virtualThreads()) {
            executorBuilder.virtualThreads();
        }
        this.executor = executorBuilder.build();
        this.rateLimit = settings.flow().rateLimit();
        this.latency = settings.registry() == null ? null : new HandlerLatency(settings.registry(), settings);
    }

    /**
     * The {@link OnFailure} policy, for records this consumer still owns: a record whose partition was
     * handed over while it was being tried is abandoned (the new owner handles it), never parked here or
     * dead-lettered.
     */
    private FailurePolicy<Object> failurePolicy(DeadLetterSink deadLetters) {
        FailurePolicy<Object> policy = onFailure(deadLetters);
        return (key, task, error, attempts) -> ((RawRecord) task).assignment.released
                ? FailurePolicy.Decision.ABANDONED
                : policy.exhausted(key, task, error, attempts);
    }

    private FailurePolicy<Object> onFailure(DeadLetterSink deadLetters) {
        return switch (settings.onFailure()) {
            case PARK_KEY -> FailurePolicy.park();
            case SKIP -> FailurePolicy.skip();
            case DEAD_LETTER ->
                FailurePolicy.deadLetter((key, task, error, attempts) -> {
                    RawRecord raw = (RawRecord) task;
                    ConsumedRecord<byte[], byte[]> record = new ConsumedRecord<>(
                            settings.topic(),
                            raw.partition(),
                            raw.offset(),
                            raw.timestamp(),
                            raw.key(),
                            raw.value(),
                            raw.headers());
                    deadLetters.send(
                            settings.deadLetterTopic(),
                            raw.key(),
                            raw.value(),
                            OrdoHeaders.deadLetter(record, error, attempts));
                });
        };
    }

    /** The topic its records come from. */
    String topic() {
        return settings.topic();
    }

    /**
     * The handler call for {@code record}, a record of an ownership of this consumer: a released one is not
     * handled.
     */
    void run(RawRecord record) throws Exception {
        if (rateLimit != null) {
            rateLimit.acquire(1); // before the check: a partition may be handed over meanwhile
        }
        if (record.assignment.released || !handling) {
            record.dropped = true;
            return;
        }
        handle(record);
    }

    /** {@code record}'s handling ended: the dispatcher is told. */
    void ended(RawRecord record, KeyOrderedExecutor.Outcome outcome, Throwable error) {
        onFinished.completed(record, outcome, error);
    }

    /**
     * Hands one key's tasks over, to run in list order after the key's earlier ones; the dispatcher is told
     * of each as it ends. The list is not kept.
     */
    void submit(Object key, List<RawRecord> tasks) {
        executor.submitQueued(key, tasks);
    }

    /** Abandons the parked record of {@code assignment}, if one is: its key goes on with other partitions' records. */
    void abandonParked(Assignment assignment) {
        for (ParkedKey<Object> p : executor.parked()) {
            if (((RawRecord) p.task()).assignment == assignment) {
                executor.abandon(p); // only if still parked at that record
            }
        }
    }

    /** Records of {@code assignment} that cannot finish until an operator acts (parked, or behind a parked key). */
    int stuck(Assignment assignment) {
        return executor.stuckTasks(task -> ((RawRecord) task).assignment == assignment);
    }

    /** See {@link RecordDispatcher#stopHandling()}. */
    void stopHandling() {
        handling = false;
    }

    /** The keys parked now, with the task each is stopped at. */
    List<ParkedKey<Object>> parkedKeys() {
        return executor.parked();
    }

    /** Records whose key is parked now. */
    List<ParkedRecord> parked() {
        List<ParkedRecord> list = new ArrayList<>();
        for (ParkedKey<Object> p : executor.parked()) {
            RawRecord raw = (RawRecord) p.task();
            list.add(new ParkedRecord(
                    settings.topic(),
                    raw.partition(),
                    raw.offset(),
                    keyText(raw),
                    p.error(),
                    p.attempts(),
                    p.parkedFor(),
                    p.waitingBehind()));
        }
        return list;
    }

    /** The keys with a record in progress, the longest in progress first. */
    List<KeyInFlight> keysInFlight() {
        List<KeyInFlight> list = new ArrayList<>();
        for (KeyInProgress<Object> k : executor.inProgress()) {
            list.add(keyInFlight(k));
        }
        return list;
    }

    /** The record in progress at the head of {@code executionKey}, if one is (one pass over the busy keys). */
    Optional<KeyInFlight> headOf(Object executionKey) {
        for (KeyInProgress<Object> k : executor.inProgress()) {
            if (k.key().equals(executionKey)) {
                return Optional.of(keyInFlight(k));
            }
        }
        return Optional.empty();
    }

    private KeyInFlight keyInFlight(KeyInProgress<Object> k) {
        RawRecord raw = (RawRecord) k.task();
        return new KeyInFlight(
                settings.topic(),
                raw.partition(),
                raw.offset(),
                keyText(raw),
                k.state(),
                k.since(),
                k.attempts(),
                k.lastError() == null ? null : k.lastError().toString(),
                k.waitingBehind());
    }

    static String keyText(RawRecord raw) {
        return raw.key() == null ? null : new String(raw.key(), StandardCharsets.UTF_8);
    }

    /** Tries the parked record again; false if it is not parked (any more). */
    boolean resume(ParkedRecord record) {
        return parkedAt(record).map(executor::resume).orElse(false);
    }

    /** Gives the parked record up, recorded with {@code reason}; false if it is not parked (any more). */
    boolean skip(ParkedRecord record, String reason) {
        return parkedAt(record).map(p -> executor.skip(p, reason)).orElse(false);
    }

    /** The parked key stopped at exactly that record, as a snapshot the executor checks again when acting. */
    private Optional<ParkedKey<Object>> parkedAt(ParkedRecord record) {
        for (ParkedKey<Object> p : executor.parked()) {
            RawRecord raw = (RawRecord) p.task();
            if (record.topic().equals(settings.topic())
                    && raw.partition() == record.partition()
                    && raw.offset() == record.offset()) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    ExecutorStats stats() {
        return executor.stats();
    }

    KeyOrderedExecutor<?> executor() {
        return executor;
    }

    /** See {@link RecordDispatcher#close(Duration)}. */
    boolean close(Duration timeout) {
        return executor.close(timeout);
    }

    /** Seconds the handler spent on {@code partition}'s records (0 for a consumer without meters). */
    double handlerSeconds(int partition) {
        return handlerTime == null ? 0 : handlerTime.seconds(partition);
    }

    /** Hands {@code raw} to the application's handler, timing it for a consumer with meters. */
    private void handle(RawRecord raw) throws Exception {
        if (handlerTime == null) {
            callHandler(raw);
            return;
        }
        latency.started(raw.timestamp());
        long start = ticker.read();
        try {
            callHandler(raw);
        } finally {
            long elapsed = ticker.read() - start;
            handlerTime.add(raw.partition(), elapsed);
            latency.handled(elapsed);
        }
    }

    /** Deserializes {@code raw} and hands it to the application's handler. */
    private void callHandler(RawRecord raw) throws Exception {
        String topic = settings.topic();
        settings.handler()
                .handle(new ConsumedRecord<>(
                        topic,
                        raw.partition(),
                        raw.offset(),
                        raw.timestamp(),
                        settings.keyDeserializer().deserialize(topic, raw.key()),
                        settings.valueDeserializer().deserialize(topic, raw.value()),
                        raw.headers() == null ? Headers.empty() : raw.headers()));
    }
}
