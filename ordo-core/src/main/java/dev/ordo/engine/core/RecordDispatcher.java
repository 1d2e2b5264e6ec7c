package dev.ordo.engine.core;

import dev.ordo.Ticker;
import dev.ordo.engine.ConsumerStats;
import dev.ordo.engine.ConsumerTuning;
import dev.ordo.engine.KeyInFlight;
import dev.ordo.engine.Lag;
import dev.ordo.engine.OnFailure;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.OrdoHeaders;
import dev.ordo.engine.ParkedRecord;
import dev.ordo.exec.CompletionTracker;
import dev.ordo.exec.ExecutorStats;
import dev.ordo.exec.KeyOrderedExecutor;
import java.time.Duration;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntToLongFunction;

/**
 * The consumer core both engines share: everything a consumer does between fetching records and
 * committing offsets. The engine (the embedded log's fetcher, Kafka's poll loop) keeps fetching,
 * group membership and committing; it hands each partition's records here in offset order and asks
 * what it may commit.
 *
 * <ul>
 *   <li><b>Ordering</b>: records go to a {@link KeyOrderedExecutor} under their
 *       {@link dev.ordo.engine.Ordering}'s execution key, a partition's records of one key in one
 *       hand-over; the handler sees them deserialized. Under {@link Ordering#TOTAL} they pass a
 *       {@link TotalOrderMerge} first, which hands them on one at a time in the total order
 *       ({@link TotalOrdering}).</li>
 *   <li><b>Heartbeats</b>: producer heartbeats ({@link OrdoHeaders#heartbeat}) never reach the handler,
 *       under any ordering; they count as done at once ({@link ConsumerStats#heartbeats()}).</li>
 *   <li><b>Commit point</b>: per partition owned ({@link OwnedPartitions}), the offset below which every
 *       record is done ({@link CompletionTracker}); a record whose key is parked, or abandoned, holds it back.</li>
 *   <li><b>Backpressure</b>: {@link #full()} at {@code maxInFlight} records in flight; the engine stops
 *       fetching and goes on once {@link #resumable()} (three quarters), one threshold for both engines.</li>
 *   <li><b>Failures</b>: retries with the key blocked, then the {@link OnFailure} policy: park the key
 *       (default), copy to the dead-letter topic with {@link OrdoHeaders#deadLetter} headers, or skip.</li>
 *   <li><b>Hand-over</b>: {@link #drain} waits, up to the drain timeout, for a partition's records in
 *       flight; {@link #release} forgets it, abandoning what of it is still queued or parked.</li>
 *   <li><b>Stalls</b>: {@link #stall()} names what the consumer waits for when nothing moved for the
 *       stall timeout; {@link #checkStall()} logs it at WARN once per stall.</li>
 * </ul>
 *
 * <p>Thread-safety: {@link #assign}, {@link #dispatch}, {@link #release} and the commit queries are
 * called by the engine's one fetching thread; completions arrive on handler threads; the operator
 * calls ({@link #parked}, {@link #resume}, {@link #skip}) and {@link #stats} from any thread.
 * For engine implementations, not applications.
 *
 * @param <K> the key type handed to the handler
 * @param <V> the value type handed to the handler
 */
public final class RecordDispatcher<K, V> {

    /**
     * Handled offsets beyond the commit point an engine may carry with a commit (Kafka's metadata, whose
     * compact encoding fits 2,500 to all of 10,000 in 4,000 characters); gathering them costs about 1 ms
     * per partition and commit at the limit.
     */
    public static final int MAX_COMPLETED_BEYOND = 10_000;

    private final ConsumerSettings<K, V> settings;
    private final HandlerStage<K, V> handlers;
    private final CompletionTracker tracker = new CompletionTracker();
    /** The partitions owned, from assignment to hand-over: commit points, lag, drain and release. */
    private final OwnedPartitions owned;

    private final InFlightRecords inFlight;
    /** A hand-over's offsets, for registering them: the tracker and the batch copy what they keep (fetching thread only). */
    private long[] offsets = new long[0];
    /** Each hand-over's tasks by execution key (fetching thread only). */
    private final KeyGroups byKey = new KeyGroups();
    /** The records' execution keys, the same object for equal key bytes (fetching thread only). */
    private final ExecutionKeys executionKeys;
    /** Ordering.TOTAL's merge and rules; null under the other orderings. */
    private final TotalOrdering total;

    private final LongAdder heartbeats = new LongAdder();
    private final LongAdder handled = new LongAdder();
    private final LongAdder alreadyHandled = new LongAdder();
    private final HandlingProgress progress;

    /** Whether handing records over is paused ({@link #pause}): the engine keeps its membership, fetches no more. */
    private volatile boolean paused;

    private volatile boolean closed;

    /**
     * @param deadLetters where {@link OnFailure#DEAD_LETTER} copies records; may be null otherwise
     * @param threadName prefix of the handler threads' names
     * @param partitions the topic's partition count as the consumer starts: the partitions
     *     {@link Ordering#TOTAL} merges (the other orderings do not use it; 0 if not known)
     * @throws IllegalArgumentException under {@link Ordering#TOTAL}, if {@code partitions} is below 1 or
     *     {@code maxInFlight} below twice the partitions
     */
    public RecordDispatcher(
            ConsumerSettings<K, V> settings,
            DeadLetterSink deadLetters,
            String threadName,
            Ticker ticker,
            int partitions) {
        this.settings = settings;
        this.total = settings.ordering() == Ordering.TOTAL ? new TotalOrdering(settings, partitions) : null;
        this.inFlight = new InFlightRecords(settings.maxInFlight());
        this.executionKeys = new ExecutionKeys(settings.ordering(), settings.commutative());
        this.handlers = new HandlerStage<>(settings, deadLetters, threadName, ticker, this::finished);
        this.progress = new HandlingProgress(ticker, settings, inFlight, handlers, total);
        this.owned = new OwnedPartitions(settings, tracker, total, handlers, inFlight, progress);
    }

    /**
     * Refuses a change of the running consumer's settings that its ordering cannot take, before anything
     * changes: under {@link Ordering#TOTAL} a concurrency other than 1, or too small a {@code maxInFlight}.
     *
     * @throws IllegalArgumentException naming the setting and the value
     */
    void checkTuning(ConsumerTuning next) {
        if (total != null) {
            total.checkTuning(next);
        }
    }

    /**
     * Starts an ownership of {@code partition}, read from {@code startOffset}. Offsets in
     * {@code alreadyHandled} (an earlier owner handled them beyond its commit) are counted done when they
     * come, without handling them again.
     *
     * @throws IllegalStateException if the partition is assigned already
     */
    public void assign(int partition, long startOffset, NavigableSet<Long> alreadyHandled) {
        owned.assign(partition, startOffset, alreadyHandled);
    }

    /** Whether {@code partition} is assigned. */
    public boolean isAssigned(int partition) {
        return owned.isAssigned(partition);
    }

    /** The ownership of {@code partition}, or null if it is not assigned. */
    Assignment assignment(int partition) {
        return owned.get(partition);
    }

    /** The record in progress at the head of {@code executionKey}, if one is. */
    Optional<KeyInFlight> headOf(Object executionKey) {
        return handlers.headOf(executionKey);
    }

    /**
     * Hands records of one assigned partition to the handlers, in offset order (higher than any handed
     * before for this ownership). Never blocks: the engine keeps below {@link #full()} itself. The list is
     * not kept: the engine may reuse it once this returns.
     */
    public void dispatch(int partition, List<RawRecord> records) {
        Assignment a = owned.get(partition);
        if (a == null) {
            throw new IllegalStateException("partition " + partition + " of " + settings.topic() + " is not assigned");
        }
        if (total != null) {
            total.requireKept();
        }
        if (records.isEmpty()) {
            return;
        }
        if (this.offsets.length < records.size()) {
            this.offsets = new long[Math.max(records.size(), 2 * this.offsets.length)];
        }
        long[] offsets = this.offsets;
        byKey.start(records.size());
        int count = 0;
        for (RawRecord r : records) {
            offsets[count++] = r.offset();
        }
        tracker.registerAll(a.slot, offsets, count); // before any is submitted, so before any completes
        if (a.firstDispatched < 0) {
            a.firstDispatched = offsets[0];
        }
        a.dispatched(offsets[count - 1], records.get(0).timestamp());
        DispatchedBatch batch = new DispatchedBatch(handlers, offsets, count);
        int submitted = 0;
        int index = 0;
        for (RawRecord handedOver : records) {
            int at = index++;
            // Its own task from here on: one handed over before (fetched anew) is copied, never queued twice.
            RawRecord r = handedOver.batch == null ? handedOver : handedOver.copy();
            boolean heartbeat = r.headers() != null && OrdoHeaders.isHeartbeat(r.headers());
            boolean handledBefore = !a.alreadyHandled.isEmpty() && a.alreadyHandled.remove(r.offset());
            if (heartbeat || handledBefore) {
                tracker.complete(a.slot, r.offset()); // counts towards the commit point, not handled (again)
                (heartbeat ? heartbeats : alreadyHandled).increment();
                if (total != null) {
                    total.pass(r); // moves its partition on in the total order
                }
                continue;
            }
            r.assignment = a;
            batch.hold(at, r);
            if (total != null) {
                r.executionKey = Ordering.TOTAL.executionKey(partition, null, 0);
                total.hold(r);
            } else {
                Object key = executionKeys.of(partition, r);
                r.executionKey = key;
                byKey.add(key, r);
            }
            submitted++;
        }
        // Held before a task may finish, and counted handed over only once held: explain never misses one.
        a.holding(batch, submitted);
        a.lastDispatched = offsets[count - 1];
        if (submitted > 0) {
            a.inFlight.addAndGet(submitted);
            long now = inFlight.added(submitted);
            if (now == submitted) {
                progress.moved(); // idle until now: a stall counts from here, not from the busy time before
            }
        }
        byKey.submitTo(handlers);
        if (total != null) {
            List<RawRecord> turn = total.release();
            if (!turn.isEmpty()) {
                handlers.submit(Ordering.TOTAL.executionKey(partition, null, 0), turn);
            }
        }
    }

    /**
     * Under {@link Ordering#TOTAL}, fails if this consumer does not hold every partition of the topic (the
     * engine calls it once the group has given the consumer its partitions).
     *
     * @throws IllegalStateException naming the group and the partitions it gave, or the one taken away
     */
    public void requireWholeTopic() {
        owned.requireWholeTopic();
    }

    /** A record's handling ended: handled, dead-lettered, skipped, or abandoned ({@code error} set). */
    private void finished(RawRecord task, KeyOrderedExecutor.Outcome outcome, Throwable error) {
        Assignment a = task.assignment;
        a.finished(task);
        if (error == null && !task.dropped && !a.released) {
            try {
                tracker.complete(a.slot, task.offset());
            } catch (IllegalArgumentException forgotten) {
                // released meanwhile: the partition's new owner handles it again
            }
        }
        if (outcome == KeyOrderedExecutor.Outcome.SUCCEEDED && !task.dropped) {
            handled.increment();
        }
        progress.moved();
        long partitionLeft = a.inFlight.decrementAndGet();
        long left = inFlight.done();
        if (left == 0 || left == inFlight.resumeAt() || partitionLeft == 0) {
            progress.signal();
        }
    }

    /**
     * Whether {@code maxInFlight} records are in flight, or handing over is {@link #pause paused}: fetch
     * nothing more until {@link #resumable()}.
     */
    public boolean full() {
        return paused || inFlight.full();
    }

    /** Whether not paused and in flight is down to the resume mark (three quarters of {@code maxInFlight}). */
    public boolean resumable() {
        return !paused && inFlight.resumable();
    }

    /** How many more records may be dispatched now (none while paused). */
    public long room() {
        return paused ? 0 : inFlight.room();
    }

    /**
     * Hands no more records to the handlers (those handed over finish) until {@link #resume()}: the engine
     * stops fetching as at {@code maxInFlight}, but stays in its group.
     */
    public void pause() {
        paused = true;
    }

    /** Ends a {@link #pause()}; a fetcher waiting for room looks again at once. */
    public void resume() {
        paused = false;
        progress.signal();
    }

    /** Whether handing over is paused. */
    public boolean isPaused() {
        return paused;
    }

    /**
     * How many more records of {@code partition} may be dispatched now: {@link #room()}, and under
     * {@link Ordering#TOTAL} no more than may wait for their turn per partition (records beyond stay with the
     * engine, which fetches the partition no further meanwhile, while the others go on).
     */
    public long room(int partition) {
        long room = room();
        return total == null || !owned.isAssigned(partition) ? room : Math.min(room, total.room(partition));
    }

    /** The most records in flight now (the setting, which {@link #maxInFlight(long)} changes). */
    public long maxInFlight() {
        return inFlight.max();
    }

    /** Changes the most records in flight; a fetcher waiting for room looks again. */
    void maxInFlight(long maxInFlight) {
        if (total != null) {
            total.capacity(maxInFlight);
        }
        inFlight.max(maxInFlight);
        progress.signal();
    }

    /** Records in flight (dispatched, not done). */
    public long inFlight() {
        return inFlight.get();
    }

    /**
     * Waits until {@link #resumable()} or {@code maxWaitNanos} passed. Waiting for one free slot instead
     * would wake the fetcher for every record handled: a context switch per record on a consumer that is
     * already behind.
     */
    public void awaitResumable(long maxWaitNanos) throws InterruptedException {
        progress.await(this::resumable, maxWaitNanos);
    }

    /** Waits until nothing is in flight or {@code maxWaitNanos} passed; returns whether nothing is. */
    public boolean awaitQuiescent(long maxWaitNanos) throws InterruptedException {
        return progress.await(() -> inFlight.get() == 0, maxWaitNanos);
    }

    /**
     * Waits until a record finishes (one that leaves nothing in flight, the resume mark or a drained
     * partition, the moments engines wait for) or {@code maxWaitNanos} passed.
     *
     * @throws InterruptedException if interrupted (the flag cleared)
     */
    public void awaitProgress(long maxWaitNanos) throws InterruptedException {
        progress.await(maxWaitNanos);
    }

    /**
     * The offset to commit for {@code partition}: after the highest offset below which every record of this
     * ownership is done; the first offset dispatched while none is; -1 if nothing was dispatched (or the
     * partition is not assigned).
     */
    public long commitPoint(int partition) {
        return owned.commitPoint(partition);
    }

    /** Records of {@code partition} dispatched and not yet done. */
    public int pending(int partition) {
        return owned.pending(partition);
    }

    /**
     * Offsets of {@code partition} done beyond its commit point (at most {@link #MAX_COMPLETED_BEYOND}),
     * with those an earlier owner handled and this one has not reached yet: what a commit may carry so
     * that the next owner does not handle them again.
     */
    public NavigableSet<Long> completedBeyond(int partition) {
        return owned.completedBeyond(partition);
    }

    /**
     * Waits, at most the drain timeout, until no record of {@code partition} is in flight but those that
     * cannot finish without an operator (parked, or queued behind a parked key): before the partition is
     * handed to another member. Returns false (and logs why) if some still are.
     */
    public boolean drain(int partition) throws InterruptedException {
        return drain(partition, System.nanoTime() + settings.drainTimeout().toNanos());
    }

    /** {@link #drain(int)} with a deadline, for partitions handed over together (one wait for them all). */
    public boolean drain(int partition, long deadlineNanos) throws InterruptedException {
        // A closed dispatcher runs nothing more: there is nothing to wait for.
        return closed || owned.drain(partition, deadlineNanos);
    }

    /**
     * Ends the ownership of {@code partition}: its records still queued are not handled here, and one
     * parked for failing is abandoned (its key goes on with other partitions' records). Their offsets are
     * not committed, so whoever owns the partition next handles them.
     */
    public void release(int partition) {
        owned.release(partition, closed);
    }

    /**
     * Stops handling: records not started yet are dropped as a crashed process drops them (tests of
     * engines' crash behaviour). Running handlers finish.
     */
    public void stopHandling() {
        handlers.stopHandling();
    }

    /** Records whose key is parked now. */
    public List<ParkedRecord> parked() {
        return handlers.parked();
    }

    /** The keys with a record in progress, the longest in progress first. */
    public List<KeyInFlight> keysInFlight() {
        return handlers.keysInFlight();
    }

    /** Tries the parked record again; false if it is not parked. */
    public boolean resume(ParkedRecord record) {
        return handlers.resume(record);
    }

    /** Gives the parked record up, recorded with {@code reason}; false if it is not parked. */
    public boolean skip(ParkedRecord record, String reason) {
        return handlers.skip(record, reason);
    }

    /**
     * How far behind the owned partitions' ends the handlers are; {@code endOffset} gives a partition's end
     * (negative if not known).
     */
    public Lag lag(IntToLongFunction endOffset) {
        return owned.lag(endOffset);
    }

    /**
     * What the consumer waits for, if records are in flight and none finished for the stall timeout:
     * {@code "no progress for 42 s: waiting for parked key ACC-7 (ledger-3@1234 failed 5 attempts: ...)"}.
     */
    public Optional<String> stall() {
        return progress.stall();
    }

    /** Logs {@link #stall()} at WARN, once per stall; engines call it from their loop. */
    public void checkStall() {
        progress.checkStall();
    }

    /** Seconds since a record last finished while records are in flight; 0 when nothing waits. */
    public double stalledSeconds() {
        return progress.stalledSeconds();
    }

    /**
     * Seconds the application's handler spent on {@code partition}'s records, summed (measured for a
     * consumer with meters only; 0 otherwise): the partition's load as the consumer feels it.
     */
    public double handlerSeconds(int partition) {
        return handlers.handlerSeconds(partition);
    }

    /** What was done with the records dispatched so far. */
    public ConsumerStats stats() {
        ExecutorStats e = handlers.stats();
        return new ConsumerStats(
                handled.sum(),
                e.retries(),
                e.deadLettered(),
                e.skipped(),
                e.parkedKeys(),
                alreadyHandled.sum(),
                inFlight.get(),
                inFlight.peak(),
                heartbeats.sum());
    }

    /** The handler stage, for its meters. */
    public KeyOrderedExecutor<?> executor() {
        return handlers.executor();
    }

    /**
     * Lets the records in flight finish, at most {@code timeout}; those of parked keys are abandoned.
     * Returns whether everything dispatched ended.
     */
    public boolean close(Duration timeout) {
        closed = true;
        return handlers.close(timeout);
    }

    /** Whether {@link #close} was called. */
    public boolean isClosed() {
        return closed;
    }
}
