package dev.ordo.sequence;

import dev.ordo.Ticker;
import dev.ordo.flow.BufferBounds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of a {@link Resequencer} behind its lock: every source's window, the counters, and the
 * decisions about gaps, whether taken by the {@link GapPolicy} (through {@link GapActions}), by the
 * overflow policy (through {@link Overflow}) or by an operator (worked out by {@link OperatorDecisions});
 * {@link GapReports} tells about the gaps. Calls that must not run under the lock (redelivery requests, logging) are collected in
 * {@link #deferred} for the resequencer to run once it has let go.
 *
 * @param <S> the source id type
 * @param <T> the message type
 */
final class SourceWindows<S, T> implements GapActions<S> {

    private static final Logger log = LoggerFactory.getLogger(Resequencer.class);
    /** A ticker reading not taken yet. */
    static final long NOT_READ = Long.MIN_VALUE;
    /**
     * A timed policy looks at the clock on every offer that opens a gap or is the first held behind
     * one, but on only one in this many of the other buffered offers (and on every
     * {@link Resequencer#tick()}): reading the system clock costs as much as buffering the message.
     */
    private static final int BUFFERED_OFFERS_PER_CLOCK_READ = 64;

    private final int capacity;
    private final boolean weighs;
    private final BufferBounds<T> bounds;
    private GapPolicy policy;
    private boolean timed;
    private final Ticker ticker;
    private final long firstSequence;
    /** Where restored sources start (a checkpoint's next expected sequences). */
    private final Map<S, Long> resumeAt;

    private final ResequencerListener<S> listener;
    private final RedeliveryRequester<S> requester;
    private final Resequencer.Sink<S, T> sink;
    /** The resequencer's lock, signalled when room is freed while offers wait for it. */
    private final ResequencerLock spaceFreed;

    private final Map<S, SourceState<S>> sources = new HashMap<>();
    /** Sources that hold messages or know of a refused one, in the order they started waiting. */
    private final Map<S, SourceState<S>> waiting = new LinkedHashMap<>();
    /** What is told about the waiting sources: their gaps, the oldest, the halted ones. */
    final GapReports<S> reports = new GapReports<>(waiting.values());
    /** Calls collected under the lock, run after it is released. */
    final List<Runnable> deferred = new ArrayList<>();

    private SourceState<S> lastSource;
    /** Buffered offers that may still go without a clock read under a timed policy. */
    private int offersBeforeClockRead = BUFFERED_OFFERS_PER_CLOCK_READ;
    /** Offers waiting on {@link #spaceFreed}; only then is it signalled. */
    int blockedOffers;

    private int buffered;
    private long bufferedBytes;
    private int peakBuffered;
    private long released;
    private long duplicates;
    private long late;
    private long gapsDetected;
    private long skipped;
    private long redeliveryRequests;
    private long failedGaps;
    private long refused;
    private long skippedByOperator;
    private long haltAlerts;
    private int haltedSources;

    SourceWindows(
            BufferBounds<T> bounds,
            GapPolicy policy,
            long firstSequence,
            Map<S, Long> resumeAt,
            ResequencerListener<S> listener,
            RedeliveryRequester<S> requester,
            Resequencer.Sink<S, T> sink,
            ResequencerLock spaceFreed) {
        this.capacity = bounds.maxBuffered();
        this.weighs = bounds.weighs();
        this.bounds = bounds;
        this.policy = policy;
        this.timed = policy.timed();
        this.ticker = bounds.ticker();
        this.firstSequence = firstSequence;
        this.resumeAt = Map.copyOf(resumeAt);
        this.listener = listener;
        this.requester = requester;
        this.sink = sink;
        this.spaceFreed = spaceFreed;
    }

    GapPolicy policy() {
        return policy;
    }

    /** Applies {@code next} from now on; the caller re-evaluates the waiting sources ({@link OperatorDecisions}). */
    void policy(GapPolicy next) {
        policy = next;
        timed = next.timed();
    }

    /**
     * Releases, buffers or drops one message; returns null, changing nothing, if it does not fit
     * (the caller applies the overflow policy).
     */
    Resequencer.Offer offer(S source, long sequence, T message, long weight) {
        SourceState<S> st = source(source);
        if (st.failure != null) {
            throw st.failure;
        }
        long next = st.next;
        if (sequence < next) {
            return stale(st, sequence);
        }
        long distance = sequence - next;
        if (distance < st.slots.length && st.slots[st.index(sequence)] != null) {
            duplicates++;
            listener.onDuplicate(source, sequence);
            return Resequencer.Offer.DUPLICATE;
        }
        if (distance == 0) {
            if (st.buffered > 0) {
                policy.headFilled(st, ticker);
            }
            sink.accept(source, sequence, message);
            st.next = next + 1;
            released++;
            if (st.buffered > 0 || st.refusedUpTo >= next) {
                headMoved(st);
            }
            signalSpace();
            return Resequencer.Offer.RELEASED;
        }
        if (distance > capacity || !bounds.fits(buffered, bufferedBytes, weight)) {
            return null;
        }
        boolean opensGap = opensGap(st, sequence);
        if (opensGap || timed && (st.buffered == 0 || --offersBeforeClockRead <= 0)) {
            // A gap is dated by a reading taken when it opens (the only time WAIT reads the clock), and a
            // timed policy only ever compares it with a fresh reading: never early; skipping the look
            // between openings only makes it later.
            long now = ticker.read();
            buffer(st, sequence, message, weight, opensGap, now);
            if (timed) {
                offersBeforeClockRead = BUFFERED_OFFERS_PER_CLOCK_READ;
                evaluate(st, now);
            }
        } else {
            buffer(st, sequence, message, weight, false, NOT_READ);
        }
        return Resequencer.Offer.BUFFERED;
    }

    /** Counts a message not taken for room and remembers it as missing (overflow policy REFUSE). */
    void refuse(S source, long sequence) {
        SourceState<S> st = source(source);
        refused++;
        if (sequence <= st.refusedUpTo) {
            return;
        }
        boolean wasWaiting = st.waiting();
        if (!wasWaiting || sequence > st.seenHighest()) {
            long from = wasWaiting ? st.seenHighest() + 1 : st.next;
            if (!wasWaiting) {
                waiting.put(st.id, st);
            }
            st.noteRefusedOpener(sequence, ticker.read());
            if (from < sequence) {
                gapDetected(st, from, sequence - 1);
            }
        }
        st.refusedUpTo = sequence;
    }

    /** Applies the gap policy to every waiting source, retrying releases the sink refused; returns a new failure. */
    SequenceGapException evaluateAll(long now) {
        SequenceGapException failure = null;
        for (SourceState<S> st : new ArrayList<>(waiting.values())) {
            boolean wasFailed = st.failure != null;
            if (st.buffered > 0) {
                drain(st);
            }
            evaluate(st, now);
            if (!wasFailed && st.failure != null && failure == null) {
                failure = st.failure;
            }
        }
        return failure;
    }

    /** Makes room by giving up on the oldest gap in the way (overflow policy FORCE_GAP). */
    void forceGap(S source, long sequence) {
        SourceState<S> st = source(source);
        long now = ticker.read();
        if (st.buffered > 0) {
            skipTo(st, Math.min(sequence, st.first), now);
        } else if (sequence - st.next > capacity) {
            skipTo(st, sequence - capacity, now);
        } else {
            // Full because of other sources: give up on the oldest gap anywhere.
            SourceState<S> oldest = waiting.values().iterator().next();
            skipTo(oldest, oldest.first, now);
        }
    }

    /** Whether buffering {@code sequence} starts a new run of missing numbers of {@code st}. */
    private static boolean opensGap(SourceState<?> st, long sequence) {
        return !st.waiting() || sequence > st.seenHighest() + 1;
    }

    /** Holds {@code message}; {@code opensGap} says it starts a new run of missing numbers, read at {@code now}. */
    private void buffer(SourceState<S> st, long sequence, T message, long weight, boolean opensGap, long now) {
        if (opensGap) {
            boolean wasWaiting = st.waiting();
            long from = wasWaiting ? st.seenHighest() + 1 : st.next;
            if (!wasWaiting) {
                waiting.put(st.id, st);
            }
            st.noteOpener(sequence, now);
            gapDetected(st, from, sequence - 1);
        }
        st.store(sequence, message, weight, capacity + 1L, weighs);
        int held = ++buffered;
        bufferedBytes += weight;
        if (held > peakBuffered) {
            peakBuffered = held;
        }
    }

    private Resequencer.Offer stale(SourceState<S> st, long sequence) {
        long skippedAt = st.skippedAt(sequence);
        if (skippedAt != Long.MIN_VALUE) {
            policy.lateArrival(st, skippedAt, ticker);
            late++;
            listener.onLate(st.id, sequence);
            return Resequencer.Offer.LATE;
        }
        duplicates++;
        listener.onDuplicate(st.id, sequence);
        return Resequencer.Offer.DUPLICATE;
    }

    private void gapDetected(SourceState<S> st, long from, long to) {
        gapsDetected++;
        listener.onGapDetected(st.id, from, to);
    }

    /** The head of {@code st} advanced: release what follows, and tell a halted source's policy. */
    private void headMoved(SourceState<S> st) {
        drain(st);
        if (st.halted) {
            afterProgress(st, ticker.read());
        }
    }

    /** A halted source made progress: the policy decides whether it still is (it recovers if it no longer waits). */
    void afterProgress(SourceState<S> st, long now) {
        if (!st.halted) {
            return;
        }
        if (st.waiting()) {
            evaluate(st, now);
        } else {
            recover(st);
        }
    }

    /** Releases buffered messages of {@code st} from its next expected sequence while they are present. */
    @SuppressWarnings("unchecked")
    void drain(SourceState<S> st) {
        // Fields are written as each message goes (a sink may read the resequencer), from locals: the
        // loop then carries no chain of store and reload through memory. A sink cannot change them.
        Object[] slots = st.slots;
        long[] weights = st.weights;
        int mask = slots.length - 1;
        long next = st.next;
        int held = st.buffered;
        boolean freed = false;
        while (held > 0) {
            int i = (int) (next & mask);
            Object message = slots[i];
            if (message == null) {
                break;
            }
            sink.accept(st.id, next, (T) message);
            slots[i] = null;
            st.buffered = --held;
            buffered--;
            if (weights != null) {
                bufferedBytes -= weights[i];
            }
            st.next = ++next;
            released++;
            freed = true;
        }
        if (!st.waiting()) {
            stopWaiting(st);
        } else {
            if (st.buffered > 0 && (freed || st.first < st.next)) {
                st.first = st.firstBufferedFrom(st.next);
            }
            st.dropOpenersBelowNext();
        }
        if (freed) {
            signalSpace();
        }
    }

    private void stopWaiting(SourceState<S> st) {
        if (waiting.remove(st.id) == null) {
            return;
        }
        st.endWaiting();
        if (st.halted) {
            recover(st);
        }
    }

    private void evaluate(SourceState<S> st, long now) {
        while (st.waiting() && st.failure == null && st.headMissing()) {
            long before = st.next;
            policy.apply(st, now, this);
            if (st.next == before) {
                return;
            }
        }
    }

    @Override
    public void skipHeadGap(SourceState<S> st, long now) {
        skipTo(st, st.buffered > 0 ? st.first : st.refusedUpTo + 1, now);
    }

    /** Gives up on every sequence in {@code [next, newNext)}, none of them buffered, and releases what follows. */
    private void skipTo(SourceState<S> st, long newNext, long now) {
        if (newNext <= st.next) {
            return;
        }
        long from = st.next;
        skipped += newNext - from;
        st.rememberSkipped(from, newNext - 1, now);
        listener.onGapSkipped(st.id, from, newNext - 1);
        st.next = newNext;
        st.requestAttempt = 0;
        drain(st);
        signalSpace();
    }

    @Override
    public void fail(SourceState<S> st, String detail) {
        failedGaps++;
        long from = st.next;
        long to = st.buffered > 0 ? st.first - 1 : st.refusedUpTo;
        st.failure = new SequenceGapException(st.id, from, to, detail);
        listener.onGapFailed(st.id, from, to);
    }

    @Override
    public void requestMissing(SourceState<S> st, long now) {
        if (requester == null) {
            return;
        }
        st.requestAttempt++;
        st.lastRequestAt = now;
        int attempt = st.requestAttempt;
        S id = st.id;
        for (SequenceRange range : st.missingRanges()) {
            redeliveryRequests++;
            deferred.add(() -> requester.request(id, range.from(), range.to(), attempt));
        }
    }

    @Override
    public void halt(SourceState<S> st, long now) {
        st.halted = true;
        haltedSources++;
        haltAlerts++;
        CriticalAlert<S> alert = st.alert(now);
        listener.onHalted(alert);
        deferred.add(() -> log.error("{}", alert.describe()));
    }

    @Override
    public void recover(SourceState<S> st) {
        st.halted = false;
        haltedSources--;
        S id = st.id;
        long next = st.next;
        listener.onRecovered(id, next);
        deferred.add(() -> log.info("source {} recovered: continues at sequence {}", id, next));
    }

    /** Acknowledges a halted source's alert and re-arms its halt deadline; false if it is not halted. */
    boolean resume(S source, long now) {
        SourceState<S> st = sources.get(source);
        if (st == null || !st.halted) {
            return false;
        }
        st.halted = false;
        haltedSources--;
        st.resumedAt = now;
        deferred.add(
                () -> log.info("source {} resumed by an operator: keeps waiting for its missing messages", source));
        return true;
    }

    /** Counts {@code count} missing sequence numbers an operator gave up on. */
    void countSkippedByOperator(long count) {
        skipped += count;
        skippedByOperator += count;
    }

    long nextExpected(S source) {
        SourceState<S> st = sources.get(source);
        return st == null ? resumeAt.getOrDefault(source, firstSequence) : st.next;
    }

    Map<S, Long> checkpoint() {
        Map<S, Long> next = new HashMap<>(resumeAt);
        sources.forEach((source, st) -> next.put(source, st.next));
        return next;
    }

    int buffered() {
        return buffered;
    }

    long bufferedBytes() {
        return bufferedBytes;
    }

    ResequencerStats stats() {
        return new ResequencerStats(
                released,
                duplicates,
                late,
                gapsDetected,
                skipped,
                redeliveryRequests,
                failedGaps,
                buffered,
                bufferedBytes,
                peakBuffered,
                refused,
                skippedByOperator,
                haltAlerts,
                haltedSources);
    }

    private void signalSpace() {
        if (blockedOffers > 0) {
            spaceFreed.signalAll();
        }
    }

    /** The source's state, created if it was never seen. */
    SourceState<S> source(S source) {
        SourceState<S> st = lastSource;
        if (st != null && (st.id == source || st.id.equals(source))) {
            return st;
        }
        st = sources.computeIfAbsent(source, s -> new SourceState<>(s, resumeAt.getOrDefault(s, firstSequence)));
        lastSource = st;
        return st;
    }
}
