package dev.ordo.engine;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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
     * Stops fetching, lets the records in flight finish (those of parked keys are left unhandled and
     * uncommitted, so the group reads them again), commits and leaves the group. Idempotent; waits at
     * most 30 s for handlers.
     */
    @Override
    void close();

    /** As {@link #close()}, waiting at most {@code timeout} for handlers to finish. */
    void close(Duration timeout);
}
