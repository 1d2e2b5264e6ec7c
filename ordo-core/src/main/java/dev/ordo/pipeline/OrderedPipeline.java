package dev.ordo.pipeline;

import dev.ordo.Arguments;
import dev.ordo.OrdoInterruptedException;
import dev.ordo.OverloadedException;
import dev.ordo.Ticker;
import dev.ordo.exec.DeadLetterHandler;
import dev.ordo.exec.KeyOrderedExecutor;
import dev.ordo.exec.Retry;
import dev.ordo.exec.SubmitPolicy;
import dev.ordo.flow.Budget;
import dev.ordo.flow.OverflowPolicy;
import dev.ordo.metrics.OrdoMetrics;
import dev.ordo.sequence.GapPolicy;
import dev.ordo.sequence.Resequencer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * The usual consumer shape in one object, under <b>one memory budget</b>: messages enter with a
 * source sequence number, are resequenced per source, then handled in parallel across keys and
 * serially per key. Every message holds one permit and its size in bytes of the pipeline's budget
 * from {@link #offer} until its handler has finished (or it is dropped as a duplicate), whether it
 * waits in the reorder buffer or in the executor, so memory is bounded by the budget however
 * slow the handler is. When the budget is spent the caller is slowed ({@link SubmitPolicy#BLOCK})
 * or told ({@link SubmitPolicy#FAIL_FAST}, {@link OverloadedException}); nothing is dropped.
 *
 * <pre>{@code
 * try (OrderedPipeline<String, Txn> pipeline = OrderedPipeline.<String, Txn>builder()
 *         .maxInFlight(10_000).maxInFlightBytes(64 << 20).weigher(Txn::sizeInBytes)
 *         .gapPolicy(GapPolicy.skipAfter(Duration.ofSeconds(1))).maxBuffered(5_000)
 *         .key(Txn::account).concurrency(64)
 *         .handler(ledger::apply)
 *         .build()) {
 *     pipeline.offer(txn.producer(), txn.sequence(), txn);
 * }
 * }</pre>
 *
 * <p>The reorder buffer may hold at most {@code maxBuffered} of the budget's messages, which must
 * be fewer than {@code maxInFlight}: otherwise a buffer full of messages waiting for a missing one
 * could hold every permit, and the missing message could never enter.
 *
 * @param <K> the ordering key of the handler stage
 * @param <T> the message type
 */
public final class OrderedPipeline<K, T> implements AutoCloseable {

    private final Budget budget;
    private final SubmitPolicy whenFull;
    private final ToLongFunction<? super T> weigher;
    private final Resequencer<String, Envelope<T>> resequencer;
    private final KeyOrderedExecutor<K> executor;

    private final Timer latency;
    private final Timer reorderLatency;
    private final Timer executeLatency;
    private final Timer backpressure;

    /** A message with the weight it was admitted with (given back exactly) and when it entered. */
    private record Envelope<T>(T message, long weight, long admittedAt) {}

    private OrderedPipeline(Builder<K, T> b) {
        this.budget = Budget.of(b.maxInFlight, b.maxInFlightBytes);
        MeterRegistry registry = b.registry != null ? b.registry : new SimpleMeterRegistry();
        this.latency = Timer.builder("ordo.pipeline.latency")
                .description("from offer to the end of the handler (end-to-end through reordering and execution)")
                .tag("stage", b.name)
                .publishPercentileHistogram()
                .register(registry);
        // Per phase: how long a message waited in the reorder buffer, and then for its key and its handler.
        this.reorderLatency = Timer.builder("ordo.pipeline.stage.latency")
                .description("time spent in one phase: reorder (offer to release) or execute (release to handler end)")
                .tags("stage", b.name, "phase", "reorder")
                .publishPercentileHistogram()
                .register(registry);
        this.executeLatency = Timer.builder("ordo.pipeline.stage.latency")
                .description("time spent in one phase: reorder (offer to release) or execute (release to handler end)")
                .tags("stage", b.name, "phase", "execute")
                .publishPercentileHistogram()
                .register(registry);
        this.backpressure = Timer.builder("ordo.pipeline.backpressure")
                .description("time producers spent waiting for the budget")
                .tag("stage", b.name)
                .register(registry);
        Gauge.builder("ordo.pipeline.in.flight", budget, Budget::count)
                .tag("stage", b.name)
                .description("messages admitted and unfinished")
                .register(registry);
        Gauge.builder("ordo.pipeline.in.flight.bytes", budget, Budget::bytes)
                .tag("stage", b.name)
                .description("bytes admitted and unfinished")
                .register(registry);
        this.whenFull = b.whenFull;
        this.weigher = b.weigher;
        this.executor = KeyOrderedExecutor.<K>builder()
                .concurrency(b.concurrency)
                .maxInFlight(Long.MAX_VALUE) // bounded by the pipeline's budget instead
                .retry(b.retry)
                .deadLetter(b.deadLetter)
                .threadName(b.name)
                .build();
        Function<? super T, ? extends K> key = b.key;
        Consumer<? super T> handler = b.handler;
        this.resequencer = Resequencer.<String, Envelope<T>>builder()
                .maxBuffered(b.maxBuffered)
                .gapPolicy(b.gapPolicy)
                .overflowPolicy(b.whenFull == SubmitPolicy.BLOCK ? OverflowPolicy.BLOCK : OverflowPolicy.REJECT)
                .ticker(b.ticker)
                .build((source, sequence, envelope) -> {
                    long released = System.nanoTime();
                    reorderLatency.record(released - envelope.admittedAt(), TimeUnit.NANOSECONDS);
                    executor.submit(key.apply(envelope.message()), () -> handler.accept(envelope.message()))
                            .whenComplete((outcome, error) -> {
                                budget.release(envelope.weight());
                                long done = System.nanoTime();
                                executeLatency.record(done - released, TimeUnit.NANOSECONDS);
                                latency.record(done - envelope.admittedAt(), TimeUnit.NANOSECONDS);
                            });
                });

        if (b.registry != null) {
            OrdoMetrics.resequencer(resequencer, b.name).bindTo(b.registry);
            OrdoMetrics.executor(executor, b.name).bindTo(b.registry);
        }
    }

    public static <K, T> Builder<K, T> builder() {
        return new Builder<>();
    }

    /**
     * Admits a message into the pipeline.
     *
     * @return what the resequencer did with it (a duplicate or late message gives its permit back at once)
     * @throws OverloadedException with {@link SubmitPolicy#FAIL_FAST} when the budget or the reorder
     *         buffer is full, and with {@link SubmitPolicy#BLOCK} when the reorder buffer stays full for
     *         its {@code maxBlock} (a {@link dev.ordo.sequence.ResequencerFullException} naming the gap);
     *         nothing was admitted
     */
    public Resequencer.Offer offer(String source, long sequence, T message) {
        Objects.requireNonNull(message, "message must not be null");
        long weight = weigher.applyAsLong(message);
        admit(weight);
        Resequencer.Offer offer;
        try {
            offer = resequencer.offer(source, sequence, new Envelope<>(message, weight, System.nanoTime()));
        } catch (RuntimeException e) {
            budget.release(weight);
            throw e;
        }
        if (offer == Resequencer.Offer.DUPLICATE
                || offer == Resequencer.Offer.LATE
                || offer == Resequencer.Offer.REFUSED) {
            budget.release(weight);
        }
        return offer;
    }

    /** Applies gap timeouts; call regularly. */
    public void tick() {
        resequencer.tick();
    }

    /** Messages admitted and not yet finished (buffered or in flight). */
    public long inFlight() {
        return budget.count();
    }

    /** Bytes admitted and not yet finished. */
    public long inFlightBytes() {
        return budget.bytes();
    }

    /** The most messages ever admitted at once. */
    public long peakInFlight() {
        return budget.peakCount();
    }

    /** Stops and drains the handler stage; messages still waiting for a gap stay unhandled. */
    @Override
    public void close() {
        executor.close();
    }

    private void admit(long weight) {
        if (whenFull == SubmitPolicy.FAIL_FAST) {
            budget.acquireOrThrow(weight);
            return;
        }
        if (budget.tryAcquire(weight)) {
            return;
        }
        long start = System.nanoTime();
        try {
            budget.acquire(weight);
            backpressure.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrdoInterruptedException("interrupted while waiting for pipeline budget", e);
        }
    }

    /** Configures an {@link OrderedPipeline}; {@link #key} and {@link #handler} are required. */
    public static final class Builder<K, T> {
        private long maxInFlight = 10_000;
        private long maxInFlightBytes = Long.MAX_VALUE;
        private ToLongFunction<? super T> weigher = m -> 0;
        private SubmitPolicy whenFull = SubmitPolicy.BLOCK;
        private int maxBuffered = 5_000;
        private GapPolicy gapPolicy = GapPolicy.waitForever();
        private Ticker ticker = Ticker.system();
        private int concurrency = Runtime.getRuntime().availableProcessors();
        private Retry retry = Retry.none();
        private DeadLetterHandler<K> deadLetter;
        private Function<? super T, ? extends K> key;
        private Consumer<? super T> handler;
        private MeterRegistry registry;
        private String name = "pipeline";

        private Builder() {}

        /** Messages admitted at once, buffered or in flight. */
        public Builder<K, T> maxInFlight(long maxInFlight) {
            this.maxInFlight = Arguments.atLeast("maxInFlight", maxInFlight, 2);
            return this;
        }

        /** Bytes admitted at once, each message weighed by {@link #weigher}. */
        public Builder<K, T> maxInFlightBytes(long maxInFlightBytes) {
            this.maxInFlightBytes = Arguments.atLeast("maxInFlightBytes", maxInFlightBytes, 1);
            return this;
        }

        public Builder<K, T> weigher(ToLongFunction<? super T> weigher) {
            this.weigher = Objects.requireNonNull(weigher, "weigher must not be null");
            return this;
        }

        public Builder<K, T> whenFull(SubmitPolicy whenFull) {
            this.whenFull = Objects.requireNonNull(whenFull, "whenFull must not be null");
            return this;
        }

        /** Of the budget's messages, how many may wait in the reorder buffer (fewer than maxInFlight). */
        public Builder<K, T> maxBuffered(int maxBuffered) {
            this.maxBuffered = Arguments.atLeast("maxBuffered", maxBuffered, 1);
            return this;
        }

        public Builder<K, T> gapPolicy(GapPolicy gapPolicy) {
            this.gapPolicy = Objects.requireNonNull(gapPolicy, "gapPolicy must not be null");
            return this;
        }

        public Builder<K, T> ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker must not be null");
            return this;
        }

        public Builder<K, T> concurrency(int concurrency) {
            this.concurrency = Arguments.atLeast("concurrency", concurrency, 1);
            return this;
        }

        public Builder<K, T> retry(Retry retry) {
            this.retry = Objects.requireNonNull(retry, "retry must not be null");
            return this;
        }

        public Builder<K, T> deadLetter(DeadLetterHandler<K> deadLetter) {
            this.deadLetter = Objects.requireNonNull(deadLetter, "deadLetter must not be null");
            return this;
        }

        /** The handler stage's ordering key of a message. */
        public Builder<K, T> key(Function<? super T, ? extends K> key) {
            this.key = Objects.requireNonNull(key, "key must not be null");
            return this;
        }

        public Builder<K, T> handler(Consumer<? super T> handler) {
            this.handler = Objects.requireNonNull(handler, "handler must not be null");
            return this;
        }

        /** Registers the stages' meters, tagged {@code stage=<name>}. */
        public Builder<K, T> metrics(MeterRegistry registry, String name) {
            this.registry = Objects.requireNonNull(registry, "registry must not be null");
            this.name = Objects.requireNonNull(name, "name must not be null");
            return this;
        }

        public OrderedPipeline<K, T> build() {
            if (key == null || handler == null) {
                throw new IllegalStateException("key and handler must be set before build()");
            }
            if (maxBuffered >= maxInFlight) {
                throw new IllegalArgumentException("maxBuffered must be < maxInFlight (" + maxInFlight + "), was "
                        + maxBuffered + ": a full reorder buffer would leave no permit for the message it waits for");
            }
            if (deadLetter == null) {
                deadLetter = (k, task, error, attempts) -> {
                    throw new IllegalStateException(
                            "handler failed for key " + k + " after " + attempts + " attempts", error);
                };
            }
            return new OrderedPipeline<>(this);
        }
    }
}
