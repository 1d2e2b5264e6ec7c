package dev.ordo.engine;

import dev.ordo.Arguments;
import dev.ordo.exec.Retry;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The settings every Ordo consumer has, on the embedded log and on Kafka alike, so that moving a
 * consumer from one engine to the other changes how it is created, not how it is configured.
 *
 * @param <B> the concrete builder
 * @param <R> the engine's record type, an {@link OrdoRecord}
 */
public abstract class ConsumerBuilder<B extends ConsumerBuilder<B, R>, R extends OrdoRecord> {

    private String group;
    private Ordering ordering = Ordering.KEY;
    private int concurrency = Runtime.getRuntime().availableProcessors();
    private long maxInFlight = 10_000;
    private Retry retry = Retry.none();
    private Duration commitInterval = Duration.ofMillis(100);
    private String deadLetterTopic;
    private Consumer<? super R> handler;
    private MeterRegistry registry;

    protected ConsumerBuilder() {}

    /** This builder, typed as itself. */
    protected abstract B self();

    /** The consumer group (required). */
    public B group(String group) {
        if (group == null || group.isBlank() || group.length() > 200) {
            throw new IllegalArgumentException("group must be 1-200 characters and not blank, was '" + group + "'");
        }
        this.group = group;
        return self();
    }

    /** How records may run in parallel (default {@link Ordering#KEY}). */
    public B ordering(Ordering ordering) {
        this.ordering = Objects.requireNonNull(ordering, "ordering must not be null");
        return self();
    }

    /** Handler threads (default: the number of processors). */
    public B concurrency(int concurrency) {
        this.concurrency = Arguments.atLeast("concurrency", concurrency, 1);
        return self();
    }

    /** Records fetched and not yet handled, at most (default 10,000); fetching stops beyond. */
    public B maxInFlight(long maxInFlight) {
        this.maxInFlight = Arguments.atLeast("maxInFlight", maxInFlight, 1);
        return self();
    }

    /** How a failing record is tried again, its key blocked meanwhile (default: not at all). */
    public B retry(Retry retry) {
        this.retry = Objects.requireNonNull(retry, "retry must not be null");
        return self();
    }

    /** How often progress is committed (default 100 ms; also on close and before a hand-over). */
    public B commitInterval(Duration commitInterval) {
        this.commitInterval = Arguments.positive("commitInterval", commitInterval);
        return self();
    }

    /** Records that fail every attempt go to this topic, the error in a header; the group carries on. */
    public B deadLetter(String topic) {
        this.deadLetterTopic = Objects.requireNonNull(topic, "topic must not be null");
        return self();
    }

    /**
     * What to do with each record (required). A {@code Consumer<OrdoRecord>} runs on either engine.
     */
    public B handler(Consumer<? super R> handler) {
        this.handler = Objects.requireNonNull(handler, "handler must not be null");
        return self();
    }

    /**
     * Registers the consumer's meters in {@code registry}: per partition {@code ordo.consumer.lag}
     * (records in the log not yet committed by the group) and {@code ordo.consumer.fetch.lag}
     * (not yet fetched), tagged topic, partition and group, and the handler stage's meters.
     */
    public B metrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry must not be null");
        return self();
    }

    /**
     * Creates the consumer, joins its group and starts handling records.
     *
     * @throws IllegalStateException if the group or the handler is missing
     * @throws Exception if the engine cannot start the consumer (the embedded log: an I/O error)
     */
    public abstract RecordConsumer start() throws Exception;

    /** @throws IllegalStateException if the group or the handler is missing */
    protected void requireComplete() {
        if (group == null || handler == null) {
            throw new IllegalStateException("group and handler must be set before start()");
        }
    }

    public String getGroup() {
        return group;
    }

    public Ordering getOrdering() {
        return ordering;
    }

    public int getConcurrency() {
        return concurrency;
    }

    public long getMaxInFlight() {
        return maxInFlight;
    }

    public Retry getRetry() {
        return retry;
    }

    public Duration getCommitInterval() {
        return commitInterval;
    }

    public String getDeadLetterTopic() {
        return deadLetterTopic;
    }

    public Consumer<? super R> getHandler() {
        return handler;
    }

    /** The registry for the consumer's meters, or null for none. */
    public MeterRegistry getRegistry() {
        return registry;
    }
}
