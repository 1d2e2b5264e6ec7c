package dev.ordo.engine;

import dev.ordo.Arguments;
import dev.ordo.engine.core.ConsumerSettings;
import dev.ordo.engine.core.FlowControl;
import dev.ordo.exec.KeyOrderedExecutor;
import dev.ordo.exec.Retry;
import dev.ordo.flow.AdaptiveConcurrencyLimit;
import dev.ordo.flow.RateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The settings every Ordo consumer has, on the embedded log and on Kafka alike, so that moving a
 * consumer from one engine to the other changes how it is created, not how it is configured.
 *
 * <p>Defaults: {@link Ordering#KEY}, concurrency = processors, 10,000 records in flight,
 * {@link Retry#none()}, {@link OnFailure#PARK_KEY} (a record that keeps failing stops its key, never
 * skipped unless told), commits every 100 ms, 30 s to drain a partition handed to another member.
 *
 * @param <B> the concrete builder
 * @param <K> the key type handed to the handler
 * @param <V> the value type handed to the handler
 */
public abstract class ConsumerBuilder<B extends ConsumerBuilder<B, K, V>, K, V> {

    private final String topic;
    private final Deserializer<K> keyDeserializer;
    private final Deserializer<V> valueDeserializer;
    private String group;
    private Ordering ordering = Ordering.KEY;
    private int concurrency = Runtime.getRuntime().availableProcessors();
    /** Whether {@link #concurrency(int)} was called (Ordering.TOTAL refuses any but 1, and defaults to 1). */
    private boolean concurrencySet;

    private long maxInFlight = 10_000;
    private Retry retry = Retry.none();
    private OnFailure onFailure = OnFailure.PARK_KEY;
    private String deadLetterTopic;
    private boolean createDeadLetterTopic;
    private Duration commitInterval = Duration.ofMillis(100);
    private Duration drainTimeout = Duration.ofSeconds(30);
    private Duration stallTimeout = Duration.ofSeconds(30);
    private RecordHandler<K, V> handler;
    private MeterRegistry registry;
    private AdaptiveConcurrencyLimit concurrencyLimit;
    private RateLimiter rateLimit;
    private Predicate<Headers> commutative;
    private boolean virtualThreads;
    private boolean paused;

    protected ConsumerBuilder(String topic, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        this.topic = Objects.requireNonNull(topic, "topic must not be null");
        this.keyDeserializer = Objects.requireNonNull(keyDeserializer, "keyDeserializer must not be null");
        this.valueDeserializer = Objects.requireNonNull(valueDeserializer, "valueDeserializer must not be null");
    }

    /** This builder, typed as itself. */
    protected abstract B self();

    /** The consumer group (required): 1-200 characters of {@code [a-zA-Z0-9._-]}. */
    public B group(String group) {
        if (group == null || !group.matches("[a-zA-Z0-9._-]{1,200}")) {
            throw new IllegalArgumentException("group must be 1-200 characters of [a-zA-Z0-9._-], was '" + group + "'");
        }
        this.group = group;
        return self();
    }

    /**
     * How records may run in parallel (default {@link Ordering#KEY}). {@link Ordering#TOTAL} runs one record
     * at a time (concurrency 1, also the default then), the topic's records in one order shared by every
     * consumer that reads them; the consumer must be the only member of its group, and cannot have
     * {@link #commutative} records.
     */
    public B ordering(Ordering ordering) {
        this.ordering = Objects.requireNonNull(ordering, "ordering must not be null");
        return self();
    }

    /**
     * Handler threads (default: the number of processors), 1 to 10,000; changeable while running
     * ({@link RecordConsumer#reconfigure}).
     */
    public B concurrency(int concurrency) {
        this.concurrency = tuning().withConcurrency(concurrency).concurrency();
        this.concurrencySet = true;
        return self();
    }

    /** Records fetched and not yet handled, at most (default 10,000); fetching pauses beyond. Changeable while running. */
    public B maxInFlight(long maxInFlight) {
        this.maxInFlight = tuning().withMaxInFlight(maxInFlight).maxInFlight();
        return self();
    }

    /** The settings a running consumer may change, as set so far; checked as {@link ConsumerTuning} checks them. */
    private ConsumerTuning tuning() {
        return new ConsumerTuning(concurrency, maxInFlight, retry);
    }

    /** How a failing record is tried again, its key blocked meanwhile (default: not at all). Changeable while running. */
    public B retry(Retry retry) {
        this.retry = Objects.requireNonNull(retry, "retry must not be null");
        return self();
    }

    /**
     * What happens to a record that failed every attempt (default {@link OnFailure#PARK_KEY}). For
     * {@link OnFailure#DEAD_LETTER} use {@link #deadLetter(String)}, which names the topic.
     *
     * @throws IllegalArgumentException for {@code DEAD_LETTER} (it needs a topic: {@link #deadLetter(String)})
     */
    public B onFailure(OnFailure onFailure) {
        Objects.requireNonNull(onFailure, "onFailure must not be null");
        if (onFailure == OnFailure.DEAD_LETTER) {
            throw new IllegalArgumentException("onFailure DEAD_LETTER needs a topic: use deadLetter(topic)");
        }
        this.onFailure = onFailure;
        this.deadLetterTopic = null;
        return self();
    }

    /**
     * Records that fail every attempt are copied to {@code topic}, which must exist when the consumer
     * starts, with the dead-letter headers ({@link OrdoHeaders#DEAD_LETTER_ERROR} and the others), and
     * the key goes on.
     */
    public B deadLetter(String topic) {
        return deadLetter(topic, false);
    }

    /** As {@link #deadLetter(String)}; with {@code createIfMissing} the consumer creates the topic if need be. */
    public B deadLetter(String topic, boolean createIfMissing) {
        this.deadLetterTopic = Objects.requireNonNull(topic, "deadLetter topic must not be null");
        this.createDeadLetterTopic = createIfMissing;
        this.onFailure = OnFailure.DEAD_LETTER;
        return self();
    }

    /** How often progress is committed (default 100 ms; also on close and before a hand-over). */
    public B commitInterval(Duration commitInterval) {
        this.commitInterval = Arguments.positive("commitInterval", commitInterval);
        return self();
    }

    /**
     * How long a partition handed to another member may wait for its records in flight to finish before
     * it is let go anyway (default 30 s); the unfinished ones are then handled again by the new owner.
     */
    public B drainTimeout(Duration drainTimeout) {
        this.drainTimeout = Arguments.positive("drainTimeout", drainTimeout);
        return self();
    }

    /**
     * How long the consumer may make no progress while records wait before it says so (WARN log and the
     * gauge {@code ordo.consumer.stalled.seconds}), naming what it waits for (default 30 s).
     */
    public B stallTimeout(Duration stallTimeout) {
        this.stallTimeout = Arguments.positive("stallTimeout", stallTimeout);
        return self();
    }

    /** What to do with each record (required). It may throw; see {@link RecordHandler}. */
    public B handler(RecordHandler<K, V> handler) {
        this.handler = Objects.requireNonNull(handler, "handler must not be null");
        return self();
    }

    /**
     * Registers the consumer's meters in {@code registry}: per partition {@code ordo.consumer.lag} and
     * {@code ordo.consumer.fetch.lag}, the handler stage's {@code ordo.executor.*}, parked keys, skips,
     * dead letters, producer heartbeats read and stalls.
     */
    public B metrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry must not be null");
        return self();
    }

    /**
     * Lets at most {@code limit}'s current number of handlers run at once (within {@code concurrency}),
     * the number following measured handler latency against its target: a slow downstream gets fewer
     * concurrent calls instead of timeouts. Off by default.
     */
    public B concurrencyLimit(AdaptiveConcurrencyLimit limit) {
        this.concurrencyLimit = Objects.requireNonNull(limit, "concurrencyLimit must not be null");
        return self();
    }

    /**
     * Starts at most {@code limit}'s rate of records per second across the consumer's handlers (a handler
     * thread waits for its permit; fetching slows through {@code maxInFlight}). Off by default.
     */
    public B rateLimit(RateLimiter limit) {
        this.rateLimit = Objects.requireNonNull(limit, "rateLimit must not be null");
        return self();
    }

    /**
     * Records for which {@code commutative} is true skip the ordering: each runs as soon as a handler thread
     * is free, in parallel with and in any order against every other record, its key's included; the other
     * records keep the {@link #ordering} among themselves. For operations whose order does not matter, as
     * CRDT deltas ({@link dev.ordo.crdt.Crdt}) or ledger deposits, mixed with ones whose order does, as
     * withdrawals. The producer marks them, in a header, since the test runs on the fetching thread before
     * a record is deserialized; it must be fast and must not throw (a record whose test throws keeps the
     * ordering). Commits stay safe: an offset is committed only once every record before it is handled,
     * commutative ones included.
     *
     * <pre>{@code
     * .commutative(headers -> "deposit".equals(headers.lastString("op")))
     * }</pre>
     */
    public B commutative(Predicate<Headers> commutative) {
        this.commutative = Objects.requireNonNull(commutative, "commutative must not be null");
        return self();
    }

    /**
     * Runs the handlers on virtual threads (Java 21 or newer): for handlers that mostly wait on I/O, at a
     * {@link #concurrency} of hundreds or thousands. The concurrency still bounds the handlers running at
     * once, and ordering, retries, parking and {@link RecordConsumer#reconfigure} stay as they are. See
     * {@link dev.ordo.exec.KeyOrderedExecutor.Builder#virtualThreads()}.
     *
     * @throws UnsupportedOperationException before Java 21, naming the running version
     */
    public B virtualThreads() {
        KeyOrderedExecutor.builder().virtualThreads(); // refused here, as the handlers' executor would refuse it
        this.virtualThreads = true;
        return self();
    }

    /**
     * Starts the consumer {@linkplain RecordConsumer#pause() paused}: it joins its group and takes its
     * partitions, but hands no record to the handler until {@link RecordConsumer#resume()}. A successor
     * started so is ready when its predecessor stops (as a migration's hand-over does); what it waits for
     * then is only the resume.
     */
    public B paused() {
        this.paused = true;
        return self();
    }

    /**
     * Creates the consumer, joins its group and starts handling records.
     *
     * @throws IllegalStateException if the group or the handler is missing
     * @throws IllegalArgumentException if the topic or the dead-letter topic does not exist
     */
    public abstract RecordConsumer start();

    /**
     * The settings, checked to be complete and to fit together, for the engine's {@link #start()}.
     *
     * @throws IllegalStateException if the group or the handler is missing, or, with {@link Ordering#TOTAL},
     *     a concurrency other than 1 or commutative records are set
     */
    protected ConsumerSettings<K, V> settings() {
        if (group == null) {
            throw new IllegalStateException("group must be set before start()");
        }
        if (handler == null) {
            throw new IllegalStateException("handler must be set before start()");
        }
        int threads = concurrency;
        if (ordering == Ordering.TOTAL) {
            if (concurrencySet && concurrency != 1) {
                throw new IllegalStateException("concurrency must be 1 with Ordering.TOTAL (records run one at a"
                        + " time, in the total order), was " + concurrency);
            }
            if (commutative != null) {
                throw new IllegalStateException("commutative records cannot be combined with Ordering.TOTAL: every"
                        + " record takes its place in the total order");
            }
            threads = 1;
        }
        return new ConsumerSettings<>(
                topic,
                group,
                ordering,
                threads,
                maxInFlight,
                retry,
                onFailure,
                deadLetterTopic,
                createDeadLetterTopic,
                commitInterval,
                drainTimeout,
                stallTimeout,
                keyDeserializer,
                valueDeserializer,
                handler,
                registry,
                new FlowControl(concurrencyLimit, rateLimit),
                commutative,
                virtualThreads,
                paused);
    }
}
