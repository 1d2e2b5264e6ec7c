package dev.ordo.sequence;

import dev.ordo.Arguments;
import dev.ordo.Ticker;
import dev.ordo.flow.BufferBounds;
import dev.ordo.flow.OverflowPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * Restores the order of messages that carry per-source sequence numbers: each source (a producer
 * id) numbers its messages 0, 1, 2, ... and the resequencer hands them to its {@link Sink} in that
 * order, whatever order they arrive in.
 *
 * <ul>
 *   <li>A message whose sequence is the next expected one is released at once, together with any
 *       buffered successors; a later one is buffered.</li>
 *   <li>Duplicates (sequence already released or already buffered) are dropped and counted.</li>
 *   <li>Missing sequence numbers are handled by the {@link GapPolicy} (by default
 *       {@link GapPolicy#waitForever()}); {@link #gaps()} and {@link #oldestGap()} say what is
 *       missing and since when, {@link #halted()} which sources a strict policy has stopped.</li>
 *   <li>Memory is bounded ({@link BufferBounds}): at most {@code maxBuffered} messages and
 *       {@code maxBufferedBytes} bytes in all sources together, and no message more than
 *       {@code maxBuffered} sequence numbers ahead of its source's next expected one. What happens
 *       beyond that is the {@link OverflowPolicy}.</li>
 * </ul>
 *
 * <pre>{@code
 * Resequencer<String, Txn> resequencer = Resequencer.<String, Txn>builder()
 *         .gapPolicy(GapPolicy.neverSkip(Duration.ofMillis(50), Duration.ofSeconds(2), Duration.ofSeconds(30)))
 *         .redeliveryRequester((teller, from, to, attempt) -> channel.askAgain(teller, from, to))
 *         .overflowPolicy(OverflowPolicy.REFUSE)
 *         .maxBuffered(10_000)
 *         .build((teller, sequence, txn) -> ledger.apply(txn));
 * if (resequencer.offer("teller-7", 42, txn) == Resequencer.Offer.REFUSED) {
 *     channel.offerAgainLater(txn);
 * }
 * }</pre>
 *
 * <p><b>One feeding thread.</b> When the thread that offers is the only one that could bring the
 * message a full buffer waits for, use {@link OverflowPolicy#REFUSE} or {@link OverflowPolicy#REJECT}:
 * both return at once. {@link OverflowPolicy#BLOCK} keeps the gap policy running while it waits
 * (gap timeouts on the ticker, due redelivery requests, which may offer the missing messages from
 * the blocked thread itself), but if that frees no room it ends only after {@code maxBlock}, with a
 * {@link ResequencerFullException} naming the gap that holds everything back.
 *
 * <p>Thread-safe: one lock guards all state, and the sink is called under it, so released
 * messages of a source are seen in order even with many offering threads. The sink and the
 * listener must not call back into the resequencer; the {@link RedeliveryRequester} is called
 * after the lock is released and may.
 *
 * @param <S> the source id type (needs {@code equals}/{@code hashCode})
 * @param <T> the message type
 */
public final class Resequencer<S, T> {

    /** Receives released messages: per source, strictly increasing sequence numbers. */
    @FunctionalInterface
    public interface Sink<S, T> {
        void accept(S source, long sequence, T message);
    }

    /** What {@link #offer} did with a message. */
    public enum Offer {
        /** Released to the sink (possibly with buffered successors). */
        RELEASED,
        /** Held until its predecessors arrive or the gap policy gives up on them. */
        BUFFERED,
        /** Dropped: its sequence was already released or is already buffered. */
        DUPLICATE,
        /** Dropped: its sequence had been skipped before it arrived. */
        LATE,
        /**
         * Not taken for lack of room ({@link OverflowPolicy#REFUSE}): offer it again later. Its
         * sequence counts as missing in the gap reports and redelivery requests until it arrives.
         */
        REFUSED
    }

    private final BufferBounds<T> bounds;
    private final OverflowPolicy overflowPolicy;
    private final boolean hasRequester;
    private final Ticker ticker;
    private final ResequencerLock lock = new ResequencerLock();
    private final SourceWindows<S, T> windows;
    private final OperatorDecisions<S> decisions;
    private final Overflow<S, T> overflow;

    private Resequencer(Builder<S, T> b, Sink<S, T> sink) {
        this.bounds = b.bounds;
        this.overflowPolicy = b.bounds.overflowPolicy();
        this.hasRequester = b.requester != null;
        this.ticker = b.bounds.ticker();
        this.windows = new SourceWindows<>(
                b.bounds, b.gapPolicy, b.firstSequence, b.resumeAt, b.listener, b.requester, sink, lock);
        this.decisions = new OperatorDecisions<>(windows, b.listener);
        this.overflow = new Overflow<>(b.bounds, lock, windows);
    }

    /** Starts configuring a resequencer. */
    public static <S, T> Builder<S, T> builder() {
        return new Builder<>();
    }

    /**
     * Offers one message. Releases it (and any buffered successors) to the sink if it is the next
     * expected of its source, buffers it if it is ahead, drops it if it is a duplicate or late. A
     * message that does not fit is handled by the overflow policy.
     *
     * @return what was done with it; {@link Offer#REFUSED} only under {@link OverflowPolicy#REFUSE}
     * @throws IllegalArgumentException if {@code sequence < 0} or the message weighs more than
     *         {@code maxBufferedBytes}; nothing is changed
     * @throws ResequencerFullException under {@link OverflowPolicy#REJECT} when it does not fit, and
     *         under {@link OverflowPolicy#BLOCK} when it still does not fit after {@code maxBlock};
     *         nothing is changed
     * @throws SequenceGapException if the source failed by {@link GapPolicy#failAfter}
     */
    public Offer offer(S source, long sequence, T message) {
        Objects.requireNonNull(source, "source must not be null");
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0, was " + sequence + " (source " + source + ")");
        }
        Objects.requireNonNull(message, "message must not be null");
        long weight = bounds.weigh(message);
        enterLock("offer");
        try {
            Offer offer = windows.offer(source, sequence, message, weight);
            return offer != null ? offer : overflow.apply(source, sequence, message, weight);
        } finally {
            unlockAndRunDeferred();
        }
    }

    /**
     * Applies the gap policy to every source at the ticker's current time: skips, requests
     * redelivery, halts or fails gaps that have become old enough, and retries releases the sink
     * refused.
     *
     * @throws SequenceGapException if this tick declared a gap fatal
     */
    public void tick() {
        SequenceGapException failure;
        enterLock("tick");
        try {
            failure = windows.evaluateAll(ticker.read());
        } finally {
            unlockAndRunDeferred();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * An operator acknowledges the {@link CriticalAlert} of a source halted by
     * {@link GapPolicy#neverSkip}: the source keeps waiting for its missing messages (and asking for
     * them), and is halted again if they are still missing {@code haltAfter} from now.
     *
     * @return whether the source was halted
     */
    public boolean resume(S source) {
        Objects.requireNonNull(source, "source must not be null");
        return locked("resume", () -> windows.resume(source, ticker.read()));
    }

    /**
     * An operator gives up on the missing messages of {@code source} up to and including
     * {@code throughSequence}, knowing that their effects are lost: what is buffered in that range is
     * released in order, the missing numbers are skipped (a copy arriving later is {@link Offer#LATE}),
     * and the source continues after {@code throughSequence}. The decision is recorded
     * ({@link #skipDecisions()}), counted ({@code skippedByOperator}), told to the listener and logged
     * at WARN. Clears a halt or a {@link GapPolicy#failAfter} failure it gets past.
     *
     * @return the gaps given up on
     * @throws IllegalArgumentException if {@code throughSequence} is below the source's next expected
     *         sequence or {@code reason} is blank; nothing is changed
     */
    public List<Gap<S>> skip(S source, long throughSequence, String reason) {
        Objects.requireNonNull(source, "source must not be null");
        requireReason(reason);
        return locked("skip", () -> decisions.skip(source, throughSequence, reason, ticker.read()));
    }

    /**
     * Declares that no more messages will come: releases everything buffered, in order per source,
     * skipping every gap in front of it (including ranges refused for room) as a recorded decision
     * with {@code reason}, as {@link #skip} does. The resequencer stays usable.
     *
     * @return the gaps given up on, empty if nothing waited
     */
    public List<Gap<S>> endOfStream(String reason) {
        requireReason(reason);
        return locked("endOfStream", () -> decisions.endOfStream(reason, ticker.read()));
    }

    /** The alerts of the sources halted now (as they stand now), oldest first. */
    public List<CriticalAlert<S>> halted() {
        return locked(null, () -> windows.reports.halted(ticker.read()));
    }

    /** Every open gap of every source, the longest waiting first. */
    public List<Gap<S>> gaps() {
        return locked(null, () -> windows.reports.gaps(ticker.read()));
    }

    /**
     * The gap at the head of a source that has waited longest, if any: what a "no progress" status
     * line names.
     */
    public Optional<Gap<S>> oldestGap() {
        return Optional.ofNullable(locked(null, () -> windows.reports.oldestGap(ticker.read())));
    }

    /**
     * How long the oldest gap at the head of a source has been open, in nanoseconds (0 if none): the
     * age a timed gap policy compares with its timeout.
     */
    public long oldestGapAgeNanos() {
        return oldestGap().map(gap -> gap.age().toNanos()).orElse(0L);
    }

    /** The most recent operator and end-of-stream skip decisions (at most 256), oldest first. */
    public List<SkipDecision<S>> skipDecisions() {
        return locked(null, decisions::history);
    }

    /** The next sequence number expected from {@code source} (the first sequence if never seen). */
    public long nextExpected(S source) {
        return locked(null, () -> windows.nextExpected(source));
    }

    /**
     * The next expected sequence of every source seen (and every restored one): a checkpoint of
     * what has been released. Buffered messages are not in it: after a restore from it each source
     * must send again from its next expected sequence, which it will, since nothing from there on
     * was released. Store it only once what was released is durable downstream.
     */
    public Map<S, Long> checkpoint() {
        return locked(null, windows::checkpoint);
    }

    /** A consistent snapshot of the counters. */
    public ResequencerStats stats() {
        return locked(null, windows::stats);
    }

    /** The gap policy this resequencer applies now. */
    public GapPolicy gapPolicy() {
        return locked(null, windows::policy);
    }

    /**
     * Applies {@code gapPolicy} from now on, while messages go on arriving: every gap held now is looked at
     * under it at once (a gap already older than a new timeout is skipped or fails now; a source halted by
     * {@link GapPolicy#neverSkip} goes on waiting, unhalted, under a policy that never halts), later ones as
     * they come. Released messages keep their order; what is buffered stays buffered.
     *
     * @throws IllegalArgumentException if the policy needs a redelivery requester this resequencer has not,
     *     or never skips while the overflow policy is {@link OverflowPolicy#FORCE_GAP}; nothing is changed
     * @throws SequenceGapException if the new policy declared a held gap fatal (the change stays made)
     */
    public void gapPolicy(GapPolicy gapPolicy) {
        Objects.requireNonNull(gapPolicy, "gapPolicy must not be null");
        gapPolicy.conflict(hasRequester, overflowPolicy).ifPresent(why -> {
            throw new IllegalArgumentException(why);
        });
        SequenceGapException failure = locked("gapPolicy", () -> decisions.changePolicy(gapPolicy, ticker.read()));
        if (failure != null) {
            throw failure;
        }
    }

    /** The bounds, overflow policy and ticker this resequencer applies. */
    public BufferBounds<T> bounds() {
        return bounds;
    }

    private void enterLock(String operation) {
        if (!lock.lockUnlessHeld()) {
            throw new IllegalStateException(
                    operation + " called from inside a resequencer callback (sink or listener)");
        }
    }

    /** Runs {@code action} under the lock; a mutating {@code operation} may not come from a callback. */
    private <R> R locked(String operation, Supplier<R> action) {
        if (operation != null) {
            enterLock(operation);
        } else {
            lock.lock();
        }
        try {
            return action.get();
        } finally {
            unlockAndRunDeferred();
        }
    }

    private void unlockAndRunDeferred() {
        if (windows.deferred.isEmpty()) {
            lock.unlock();
            return;
        }
        List<Runnable> toRun = new ArrayList<>(windows.deferred);
        windows.deferred.clear();
        lock.unlock();
        toRun.forEach(Runnable::run);
    }

    private static void requireReason(String reason) {
        Objects.requireNonNull(reason, "reason must not be null");
        if (reason.isBlank()) {
            throw new IllegalArgumentException("reason must not be blank, was '" + reason + "'");
        }
    }

    /**
     * Configures a {@link Resequencer}. Defaults: {@link GapPolicy#waitForever()} (never gives up, never
     * halts), {@code maxBuffered} 10,000 messages, no byte bound, {@link OverflowPolicy#BLOCK} for at
     * most {@link BufferBounds#DEFAULT_MAX_BLOCK 60 s}, system ticker, first sequence 0, no listener,
     * no redelivery requester.
     */
    public static final class Builder<S, T> {
        private BufferBounds<T> bounds = BufferBounds.of(10_000);
        private GapPolicy gapPolicy = GapPolicy.waitForever();
        private long firstSequence;
        private Map<S, Long> resumeAt = Map.of();
        private ResequencerListener<S> listener = new ResequencerListener<>() {};
        private RedeliveryRequester<S> requester;

        private Builder() {}

        /** The most messages held at once, and the furthest a message may be ahead of the next expected one. */
        public Builder<S, T> maxBuffered(int maxBuffered) {
            this.bounds = bounds.withMaxBuffered(maxBuffered);
            return this;
        }

        /** The most bytes held at once, each message weighed by {@code weigher}. */
        public Builder<S, T> maxBufferedBytes(long maxBufferedBytes, ToLongFunction<? super T> weigher) {
            this.bounds = bounds.withMaxBufferedBytes(maxBufferedBytes, weigher);
            return this;
        }

        /** What happens to a message that does not fit (default {@link OverflowPolicy#BLOCK}). */
        public Builder<S, T> overflowPolicy(OverflowPolicy overflowPolicy) {
            this.bounds = bounds.withOverflowPolicy(overflowPolicy);
            return this;
        }

        /** How long {@link OverflowPolicy#BLOCK} waits for room, in real time (default 60 s). */
        public Builder<S, T> maxBlock(Duration maxBlock) {
            this.bounds = bounds.withMaxBlock(maxBlock);
            return this;
        }

        /** The clock of gap ages and timeouts (default {@link Ticker#system()}). */
        public Builder<S, T> ticker(Ticker ticker) {
            this.bounds = bounds.withTicker(ticker);
            return this;
        }

        /** What to do about missing sequence numbers (default {@link GapPolicy#waitForever()}). */
        public Builder<S, T> gapPolicy(GapPolicy gapPolicy) {
            this.gapPolicy = Objects.requireNonNull(gapPolicy, "gapPolicy must not be null");
            return this;
        }

        /** The sequence number every source starts at (0 by default, as Kafka producers do). */
        public Builder<S, T> firstSequence(long firstSequence) {
            this.firstSequence = Arguments.atLeast("firstSequence", firstSequence, 0);
            return this;
        }

        /**
         * Restores a {@link Resequencer#checkpoint() checkpoint}: each source in it starts at its
         * sequence there instead of {@link #firstSequence}; what comes below is a duplicate.
         *
         * @throws IllegalArgumentException naming the source if a sequence is negative
         */
        public Builder<S, T> resumeFrom(Map<S, Long> checkpoint) {
            Objects.requireNonNull(checkpoint, "checkpoint must not be null");
            checkpoint.forEach((source, next) -> {
                if (next == null || next < 0) {
                    throw new IllegalArgumentException(
                            "checkpoint sequence of source " + source + " must be >= 0, was " + next);
                }
            });
            this.resumeAt = Map.copyOf(checkpoint);
            return this;
        }

        public Builder<S, T> listener(ResequencerListener<S> listener) {
            this.listener = Objects.requireNonNull(listener, "listener must not be null");
            return this;
        }

        /**
         * Where {@link GapPolicy#requestRedelivery} and {@link GapPolicy#neverSkip} send their requests;
         * required by the first.
         */
        public Builder<S, T> redeliveryRequester(RedeliveryRequester<S> requester) {
            this.requester = Objects.requireNonNull(requester, "requester must not be null");
            return this;
        }

        /**
         * Builds a resequencer that releases to {@code sink}.
         *
         * @throws IllegalStateException if the gap policy needs a redelivery requester and has none, or
         *         if it never skips and the overflow policy is {@link OverflowPolicy#FORCE_GAP}
         */
        public Resequencer<S, T> build(Sink<S, T> sink) {
            Objects.requireNonNull(sink, "sink must not be null");
            gapPolicy.conflict(requester != null, bounds.overflowPolicy()).ifPresent(why -> {
                throw new IllegalStateException(why);
            });
            return new Resequencer<>(this, sink);
        }
    }
}
