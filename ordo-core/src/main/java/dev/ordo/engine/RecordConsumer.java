package dev.ordo.engine;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A running consumer of either engine, as {@link ConsumerBuilder#start()} returns it: it fetches the
 * partitions the group gives it, runs the handler under its {@link Ordering}, and commits only what
 * is handled.
 *
 * <pre>{@code
 * try (RecordConsumer consumer = OrdoConsumer.builder(log, "ledger", Serdes.string(), txnSerde)
 *         .group("balances").handler(record -> ledger.apply(record.key(), record.value())).start()) {
 *     consumer.awaitCaughtUp(Duration.ofSeconds(30));
 *     consumer.parked().forEach(p -> alert(p));          // records whose key stopped (OnFailure.PARK_KEY)
 * }
 * }</pre>
 */
public interface RecordConsumer extends AutoCloseable {

    /** The topic consumed. */
    String topic();

    /** The consumer group this consumer is a member of. */
    String group();

    /** The partitions this consumer owns now (changes as group members come and go). */
    Set<Integer> assignment();

    /** What the consumer has done with the records it fetched. */
    ConsumerStats stats();

    /**
     * Why this consumer stopped fetching before {@link #close()}, if it did: damage found on read, an
     * I/O error, a broker error. Records handled until then are committed; nothing after is delivered.
     */
    Optional<Throwable> failure();

    /** How far behind the end of its partitions the consumer is now. */
    Lag lag();

    /**
     * Waits until every record appended to the owned partitions so far is handled ({@link Lag#caughtUp()}).
     *
     * @return true when caught up; false if {@code timeout} passed first, or the consumer failed or closed
     * @throws InterruptedException if interrupted while waiting (the flag is cleared, as by JUC's waits)
     */
    boolean awaitCaughtUp(Duration timeout) throws InterruptedException;

    /** The settings {@link #reconfigure} may change, as they are now. */
    ConsumerTuning tuning();

    /**
     * Changes the running consumer's concurrency, records in flight and retry, without a restart and without
     * losing or reordering a record: {@code change} gets the settings now and returns the new ones
     * ({@code t -> t.withConcurrency(4)}), applied atomically with respect to other reconfigurations.
     *
     * <ul>
     *   <li>Concurrency: threads are added at once; when it shrinks, running handlers finish and the
     *       threads beyond the new count end (each after at most one more turn of a key's records). Each
     *       key keeps one record at a time, in order, throughout.</li>
     *   <li>{@code maxInFlight}: a fetch paused for room goes on once in flight is at or below three
     *       quarters of the new bound; a smaller bound pauses fetching until the records in flight drop to
     *       it. Records already fetched are not given back.</li>
     *   <li>Retry: from each record's next failed attempt on; a record waiting for its retry keeps its
     *       key blocked as before.</li>
     * </ul>
     *
     * @return the settings in force after the change
     * @throws IllegalArgumentException naming the field and the value if a new value is out of range
     *     ({@link ConsumerTuning}) or does not fit the ordering ({@link Ordering#TOTAL}: concurrency 1, and
     *     {@code maxInFlight} at least twice the partitions); nothing is changed
     * @throws IllegalStateException if the consumer is closed
     */
    ConsumerTuning reconfigure(UnaryOperator<ConsumerTuning> change);

    /**
     * The keys with a record in progress now (running, being retried, or parked), the longest in progress
     * first: the operator's view of stuck keys, which lag alone hides. A snapshot costing one pass over the
     * busy keys; keys whose next record has not started yet are not listed.
     */
    List<KeyInFlight> keysInFlight();

    /**
     * Where {@code key}'s records are in this consumer and what holds them: the failing record it is parked
     * at, the retry it waits for, the handler that runs for long, or, when nothing of it is in flight, what
     * the consumer waits for (a stall, a full in-flight bound, lag).
     *
     * @param key the record key as text (its bytes as UTF-8)
     */
    Explanation explain(String key);

    /**
     * Where the record at {@code offset} of {@code partition} is in this consumer and what holds it: handled
     * (below the commit point, or finished beyond it), its key's head (running, being retried, or parked with its
     * error and attempts), waiting behind its key's head (named, with why that is held), fetched and waiting
     * for a handler thread, not fetched yet (lag, a full in-flight bound), held by a partition fence, beyond
     * the partition's end, or in a partition this consumer does not own. A snapshot: by the time an operator
     * reads it the record may have moved on.
     *
     * <pre>{@code
     * consumer.explain(3, 1240)  // record ledger-3@1240 (key ACC-7): WAITING_BEHIND; it waits behind
     *                            //   ledger-3@1234, the head of its key; ledger-3@1234 failed every attempt ...
     * }</pre>
     *
     * @throws IllegalArgumentException naming the field and the value if {@code partition} or {@code offset} is
     *     negative
     */
    Explanation explain(int partition, long offset);

    /** Records whose key is parked now ({@link OnFailure#PARK_KEY}): each stops its key until resumed or skipped. */
    List<ParkedRecord> parked();

    /**
     * Tries the parked record again (with a fresh set of attempts); its key's later records follow once it
     * succeeds.
     *
     * @return false if that record is not parked (any more)
     */
    boolean resume(ParkedRecord parked);

    /**
     * Gives up on the parked record, an explicit decision recorded with {@code reason} (WARN log, the
     * {@code skipped} count): its effect is lost, its key goes on, and the commit passes it.
     *
     * @return false if that record is not parked (any more)
     */
    boolean skip(ParkedRecord parked, String reason);

    /**
     * Hands no more records to the handler until {@link #resume()}: those handed over already finish, the
     * consumer stops fetching as at its {@code maxInFlight} bound and stays in its group (its partitions stay
     * its own, its commits go on). For a blue/green hand-over: a consumer started {@linkplain
     * ConsumerBuilder#paused() paused} has joined its group and is positioned when the old one stops.
     * Idempotent.
     */
    void pause();

    /** Ends a {@link #pause()}: records are handed to the handler again. Idempotent. */
    void resume();

    /** Whether the consumer is paused ({@link #pause()}, {@link ConsumerBuilder#paused()}). */
    boolean isPaused();

    /**
     * Stops fetching, lets the records in flight finish (those of parked keys are left unhandled and
     * uncommitted, so the group reads them again), commits and leaves the group. Idempotent; waits at
     * most 30 s for handlers.
     */
    @Override
    void close();

    /** As {@link #close()}, waiting at most {@code timeout} for handlers to finish. */
    void close(Duration timeout);
}
