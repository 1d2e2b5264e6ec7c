package dev.ordo.engine.core;

import dev.ordo.Ticker;
import dev.ordo.engine.ConsumerStats;
import dev.ordo.engine.ConsumerTuning;
import dev.ordo.engine.Explanation;
import dev.ordo.engine.Headers;
import dev.ordo.engine.KeyInFlight;
import dev.ordo.engine.ParkedRecord;
import dev.ordo.engine.RecordConsumer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

/**
 * What every engine's {@link RecordConsumer} does the same way, as the JDK's {@code AbstractList} does
 * for lists: statistics, the failure, parked records, live reconfiguration, waiting to be caught up and
 * the close protocol,
 * all through the {@link RecordDispatcher} this class creates. An engine adds fetching, membership,
 * commits and its lag. For engine implementations.
 *
 * @param <K> the key type handed to the handler
 * @param <V> the value type handed to the handler
 */
public abstract class AbstractRecordConsumer<K, V> implements RecordConsumer {

    /** How long {@link #awaitCaughtUp} waits between looks when nothing finishes (new records arrive unseen). */
    private static final long LOOK_AGAIN_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    protected final ConsumerSettings<K, V> settings;
    protected final RecordDispatcher<K, V> dispatcher;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Orders reconfigurations: each applies all its settings before the next reads them. */
    private final Object tuningLock = new Object();

    private volatile ConsumerTuning tuning;
    private volatile Throwable failure;
    private volatile boolean settled;

    /**
     * @param threadName prefix of the handler threads' names
     * @param partitions the topic's partition count as the consumer starts: what {@link
     *     dev.ordo.engine.Ordering#TOTAL} merges (the other orderings do not use it; 0 if not known)
     * @throws IllegalArgumentException if the settings do not fit the topic (see {@link RecordDispatcher})
     */
    protected AbstractRecordConsumer(ConsumerSettings<K, V> settings, String threadName, int partitions) {
        this.settings = settings;
        this.dispatcher =
                new RecordDispatcher<>(settings, this::sendDeadLetter, threadName, Ticker.system(), partitions);
        this.tuning = new ConsumerTuning(settings.concurrency(), settings.maxInFlight(), settings.retry());
        if (settings.paused()) {
            dispatcher.pause(); // before the engine starts: not one record is handed over before resume()
        }
    }

    /**
     * Appends a record that failed every attempt to the dead-letter topic and returns once it is durable;
     * called only with {@code OnFailure.DEAD_LETTER}.
     */
    protected abstract void sendDeadLetter(String topic, byte[] key, byte[] value, Headers headers) throws Exception;

    /** Stops fetching and handling, commits and leaves the group; called once, by {@link #close(Duration)}. */
    protected abstract void shutdown(Duration timeout);

    @Override
    public String topic() {
        return settings.topic();
    }

    @Override
    public String group() {
        return settings.group();
    }

    @Override
    public ConsumerStats stats() {
        return dispatcher.stats();
    }

    @Override
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** Records why fetching stopped before close; {@link #failure()} reports it. */
    protected void failed(Throwable error) {
        failure = error;
    }

    /**
     * The group has given this consumer its partitions (once it has, caught up means something).
     *
     * @throws IllegalStateException under {@link dev.ordo.engine.Ordering#TOTAL}, if they are not all the
     *     topic's ({@link RecordDispatcher#requireWholeTopic()}): the engine stops with it as its failure
     */
    protected void settled(boolean settled) {
        if (settled) {
            dispatcher.requireWholeTopic();
        }
        this.settled = settled;
    }

    /** Whether {@link #close} was called. */
    protected boolean isClosed() {
        return closed.get();
    }

    /**
     * Makes sure {@link #lag()} will count every record appended before now, for an engine whose view of
     * the log's end lags behind it (Kafka's comes with fetches); the embedded engine reads it live.
     */
    protected void refreshLag() {}

    /** Whether {@link #lag()} counts every record appended before {@code nanos} ({@link #refreshLag}). */
    protected boolean lagCurrentSince(long nanos) {
        return true;
    }

    @Override
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        refreshLag();
        while (true) {
            if (failure != null || closed.get()) {
                return false; // nothing more will be handled
            }
            if (settled && lagCurrentSince(start) && lag().caughtUp()) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            dispatcher.awaitProgress(Math.min(deadline - System.nanoTime(), LOOK_AGAIN_NANOS));
        }
    }

    @Override
    public ConsumerTuning tuning() {
        return tuning;
    }

    @Override
    public ConsumerTuning reconfigure(UnaryOperator<ConsumerTuning> change) {
        Objects.requireNonNull(change, "change must not be null");
        synchronized (tuningLock) {
            requireOpen();
            ConsumerTuning next = Objects.requireNonNull(change.apply(tuning), "the changed tuning must not be null");
            dispatcher.checkTuning(next);
            dispatcher.executor().setConcurrency(next.concurrency());
            dispatcher.executor().setRetry(next.retry());
            dispatcher.maxInFlight(next.maxInFlight());
            tuning = next;
            return next;
        }
    }

    @Override
    public List<KeyInFlight> keysInFlight() {
        return dispatcher.keysInFlight();
    }

    @Override
    public Explanation explain(String key) {
        return KeyExplainer.explain(
                key, settings.ordering(), dispatcher.keysInFlight(), assignment(), dispatcher, lag(), fenceHolds());
    }

    @Override
    public Explanation explain(int partition, long offset) {
        return new RecordExplainer(settings, dispatcher, assignment(), this::endOffset, fenceHolds())
                .explain(partition, offset);
    }

    /**
     * The end of an owned {@code partition} (the offset its next record gets) as this consumer knows it, or -1
     * if it does not; for {@link #explain(int, long)}. Not known by default.
     */
    protected long endOffset(int partition) {
        return -1;
    }

    /**
     * Partitions whose next record waits behind a change of the topic's partition count (a layout or
     * partition fence), and what each waits for; for {@link #explain}. None by default.
     */
    protected Map<Integer, String> fenceHolds() {
        return Map.of();
    }

    @Override
    public List<ParkedRecord> parked() {
        return dispatcher.parked();
    }

    @Override
    public boolean resume(ParkedRecord parked) {
        requireOpen();
        return dispatcher.resume(parked);
    }

    @Override
    public boolean skip(ParkedRecord parked, String reason) {
        requireOpen();
        return dispatcher.skip(parked, reason);
    }

    @Override
    public void pause() {
        requireOpen();
        dispatcher.pause();
    }

    @Override
    public void resume() {
        requireOpen();
        dispatcher.resume();
    }

    @Override
    public boolean isPaused() {
        return dispatcher.isPaused();
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException(
                    "consumer of " + settings.topic() + " in group " + settings.group() + " is closed");
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    @Override
    public void close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        if (closed.compareAndSet(false, true)) {
            shutdown(timeout);
        }
    }
}
