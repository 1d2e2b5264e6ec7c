package dev.ordo.sequence;

import dev.ordo.Arguments;
import dev.ordo.OverloadedException;
import dev.ordo.Ticker;
import dev.ordo.flow.OverflowPolicy;
import dev.ordo.time.AdaptiveBound;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
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
 *   <li>Missing sequence numbers are handled by the {@link GapPolicy}.</li>
 *   <li>Memory is bounded: at most {@code maxBuffered} messages and {@code maxBufferedBytes} bytes
 *       in all sources together, and no message more than {@code maxBuffered} sequence numbers
 *       ahead of its source's next expected one. What happens beyond that is the
 *       {@link OverflowPolicy}.</li>
 * </ul>
 *
 * <pre>{@code
 * Resequencer<String, Txn> resequencer = Resequencer.<String, Txn>builder()
 *         .gapPolicy(GapPolicy.skipAfter(Duration.ofSeconds(1)))
 *         .maxBuffered(10_000)
 *         .build((producer, sequence, txn) -> ledger.apply(txn));
 * resequencer.offer("producer-7", 42, txn);
 * }</pre>
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
        LATE
    }

    private static final int MAX_REMEMBERED_SKIPS = 64;
    private static final long MAX_BLOCK_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MIN_BLOCK_WAIT_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    private final int capacity;
    private final long maxBytes;
    private final ToLongFunction<? super T> weigher;
    private final GapPolicy gapPolicy;
    /** The fixed gap timeout, or -1 for an untimed policy or an adaptive one (see {@link #gapTimeoutNanos()}). */
    private final long fixedTimeoutNanos;

    private final AdaptiveBound adaptiveTimeout;
    private final boolean timed;
    private final OverflowPolicy overflowPolicy;
    private final Ticker ticker;
    private final long firstSequence;
    /** Where restored sources start (a checkpoint's next expected sequences). */
    private final Map<S, Long> resumeAt;

    private final ResequencerListener<S> listener;
    private final RedeliveryRequester<S> requester;
    private final Sink<S, T> sink;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition spaceFreed = lock.newCondition();
    private final Map<S, SourceState<S>> sources = new HashMap<>();
    /** Sources holding buffered messages, oldest gap first. */
    private final Map<S, SourceState<S>> gapped = new LinkedHashMap<>();
    /** Redelivery requests collected under the lock and run after it is released. */
    private final List<Runnable> deferred = new ArrayList<>();

    private SourceState<S> lastSource;
    private int blockedOffers;

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

    private Resequencer(Builder<S, T> b, Sink<S, T> sink) {
        this.capacity = b.maxBuffered;
        this.maxBytes = b.maxBufferedBytes;
        this.weigher = b.weigher;
        this.gapPolicy = b.gapPolicy;
        this.fixedTimeoutNanos = timeoutNanos(b.gapPolicy);
        this.adaptiveTimeout = b.gapPolicy instanceof GapPolicy.SkipAfterAdaptiveTimeout a ? a.bound() : null;
        this.timed = fixedTimeoutNanos >= 0 || adaptiveTimeout != null;
        this.overflowPolicy = b.overflowPolicy;
        this.ticker = b.ticker;
        this.firstSequence = b.firstSequence;
        this.resumeAt = Map.copyOf(b.resumeAt);
        this.listener = b.listener;
        this.requester = b.requester;
        this.sink = sink;
    }

    /** Starts configuring a resequencer. */
    public static <S, T> Builder<S, T> builder() {
        return new Builder<>();
    }

    /**
     * Offers one message. Releases it (and any buffered successors) to the sink if it is the next
     * expected of its source, buffers it if it is ahead, drops it if it is a duplicate or late.
     *
     * @throws IllegalArgumentException if {@code sequence < 0} or the message weighs more than
     *         {@code maxBufferedBytes}; nothing is changed
     * @throws OverloadedException with {@link OverflowPolicy#REJECT} when it does not fit;
     *         nothing is changed
     * @throws SequenceGapException if the source failed by {@link GapPolicy#failAfter}
     */
    public Offer offer(S source, long sequence, T message) {
        Objects.requireNonNull(source, "source must not be null");
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0, was " + sequence + " (source " + source + ")");
        }
        Objects.requireNonNull(message, "message must not be null");
        long weight = weigh(message);
        if (lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("offer called from inside a resequencer callback (sink or listener)");
        }
        lock.lock();
        try {
            return offerLocked(source, sequence, message, weight);
        } finally {
            unlockAndRunDeferred();
        }
    }

    /**
     * Applies the timed gap policy to every source at the ticker's current time: skips, requests
     * redelivery or fails gaps that have become old enough, and retries releases the sink refused.
     *
     * @throws SequenceGapException if this tick declared a gap fatal
     */
    public void tick() {
        SequenceGapException failure = null;
        lock.lock();
        try {
            long now = ticker.read();
            for (SourceState<S> st : new ArrayList<>(gapped.values())) {
                boolean wasFailed = st.failure != null;
                drain(st);
                evaluateGap(st, now);
                if (!wasFailed && st.failure != null && failure == null) {
                    failure = st.failure;
                }
            }
        } finally {
            unlockAndRunDeferred();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The next sequence number expected from {@code source} (the first sequence if never seen). */
    public long nextExpected(S source) {
        lock.lock();
        try {
            SourceState<S> st = sources.get(source);
            return st == null ? resumeAt.getOrDefault(source, firstSequence) : st.next;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next expected sequence of every source seen (and every restored one): a checkpoint of
     * what has been released. Buffered messages are not in it: after a restore from it each source
     * must send again from its next expected sequence, which it will, since nothing from there on
     * was released. Store it only once what was released is durable downstream.
     */
    public Map<S, Long> checkpoint() {
        lock.lock();
        try {
            Map<S, Long> next = new HashMap<>(resumeAt);
            sources.forEach((source, st) -> next.put(source, st.next));
            return next;
        } finally {
            lock.unlock();
        }
    }

    /** A consistent snapshot of the counters. */
    public ResequencerStats stats() {
        lock.lock();
        try {
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
                    peakBuffered);
        } finally {
            lock.unlock();
        }
    }

    /**
     * How long the oldest message held back by a gap has waited, in nanoseconds (0 if none):
     * the age a timed gap policy compares with its timeout.
     */
    public long oldestGapAgeNanos() {
        lock.lock();
        try {
            long now = ticker.read();
            long oldest = 0;
            for (SourceState<S> st : gapped.values()) {
                oldest = Math.max(oldest, now - st.arrivalOf(st.first));
            }
            return oldest;
        } finally {
            lock.unlock();
        }
    }

    /** The gap policy this resequencer applies. */
    public GapPolicy gapPolicy() {
        return gapPolicy;
    }

    private Offer offerLocked(S source, long sequence, T message, long weight) {
        SourceState<S> st = state(source);
        while (true) {
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
                return Offer.DUPLICATE;
            }
            if (distance == 0) {
                if (adaptiveTimeout != null && st.buffered > 0) {
                    // This message ends a gap: how long the oldest held-back message waited for it.
                    adaptiveTimeout.record(toMillisRoundingUp(ticker.read() - st.arrivalOf(st.first)));
                }
                sink.accept(source, sequence, message);
                st.next = next + 1;
                released++;
                if (st.buffered > 0) {
                    drain(st);
                }
                if (blockedOffers > 0) {
                    spaceFreed.signalAll();
                }
                return Offer.RELEASED;
            }
            if (fits(distance, weight)) {
                if (!timed) {
                    // WAIT needs no arrival times; skipping the clock read halves the cost of buffering.
                    buffer(st, sequence, message, weight, 0);
                } else {
                    long now = ticker.read();
                    buffer(st, sequence, message, weight, now);
                    evaluateGap(st, now);
                }
                return Offer.BUFFERED;
            }
            makeRoom(st, sequence, weight);
        }
    }

    private boolean fits(long distance, long weight) {
        return distance <= capacity && buffered < capacity && bufferedBytes + weight <= maxBytes;
    }

    private void makeRoom(SourceState<S> st, long sequence, long weight) {
        switch (overflowPolicy) {
            case REJECT -> throw new OverloadedException(overflowReason(st, sequence, weight));
            case FORCE_GAP -> forceGap(st, sequence);
            case BLOCK -> awaitSpace(st, sequence);
            default -> throw new AssertionError(overflowPolicy);
        }
    }

    private String overflowReason(SourceState<S> st, long sequence, long weight) {
        long distance = sequence - st.next;
        if (distance > capacity) {
            return "sequence " + sequence + " of source " + st.id + " is " + distance + " ahead of the next expected "
                    + st.next + "; maxBuffered is " + capacity;
        }
        if (buffered >= capacity) {
            return "resequencer holds " + buffered + " messages; maxBuffered is " + capacity;
        }
        return "resequencer holds " + bufferedBytes + " bytes and the message weighs " + weight
                + "; maxBufferedBytes is " + maxBytes;
    }

    private void forceGap(SourceState<S> st, long sequence) {
        if (st.buffered > 0) {
            skipTo(st, Math.min(sequence, st.first));
        } else if (sequence - st.next > capacity) {
            skipTo(st, sequence - capacity);
        } else {
            // Full because of other sources: give up on the oldest gap anywhere.
            SourceState<S> oldest = gapped.values().iterator().next();
            skipTo(oldest, oldest.first);
        }
    }

    private void awaitSpace(SourceState<S> st, long sequence) {
        blockedOffers++;
        try {
            spaceFreed.awaitNanos(blockWaitNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OverloadedException(
                    "interrupted while waiting for resequencer space for sequence " + sequence + " of source " + st.id);
        } finally {
            blockedOffers--;
        }
        long now = ticker.read();
        for (SourceState<S> other : new ArrayList<>(gapped.values())) {
            evaluateGap(other, now);
        }
    }

    /** How long a blocked offer sleeps before it looks at gap timeouts again. */
    private long blockWaitNanos() {
        if (!timed || gapped.isEmpty()) {
            return MAX_BLOCK_WAIT_NANOS;
        }
        long now = ticker.read();
        long timeout = gapTimeoutNanos();
        long soonest = Long.MAX_VALUE;
        for (SourceState<S> st : gapped.values()) {
            soonest = Math.min(soonest, st.arrivalOf(st.first) + timeout - now);
        }
        return Math.max(MIN_BLOCK_WAIT_NANOS, Math.min(MAX_BLOCK_WAIT_NANOS, soonest));
    }

    private Offer stale(SourceState<S> st, long sequence) {
        long skippedAt = st.skippedAt(sequence);
        if (skippedAt != Long.MIN_VALUE) {
            if (adaptiveTimeout != null) {
                // Censored sample: it needed at least the timeout it got plus the time since the skip.
                adaptiveTimeout.record(toMillisRoundingUp(gapTimeoutNanos() + ticker.read() - skippedAt));
            }
            late++;
            listener.onLate(st.id, sequence);
            return Offer.LATE;
        }
        duplicates++;
        listener.onDuplicate(st.id, sequence);
        return Offer.DUPLICATE;
    }

    private void buffer(SourceState<S> st, long sequence, T message, long weight, long now) {
        st.ensureWindow(sequence - st.next + 1, capacity + 1L, weigher != null);
        int i = st.index(sequence);
        st.slots[i] = message;
        st.arrivals[i] = now;
        if (st.weights != null) {
            st.weights[i] = weight;
        }
        if (st.buffered == 0) {
            st.first = sequence;
            st.highest = sequence;
            st.requestAttempt = 0;
            gapped.put(st.id, st);
            gapDetected(st, st.next, sequence - 1);
        } else if (sequence > st.highest) {
            if (sequence > st.highest + 1) {
                gapDetected(st, st.highest + 1, sequence - 1);
            }
            st.highest = sequence;
        } else if (sequence < st.first) {
            st.first = sequence;
        }
        st.buffered++;
        buffered++;
        bufferedBytes += weight;
        peakBuffered = Math.max(peakBuffered, buffered);
    }

    private void gapDetected(SourceState<S> st, long from, long to) {
        gapsDetected++;
        listener.onGapDetected(st.id, from, to);
    }

    /** Releases buffered messages of {@code st} from its next expected sequence while they are present. */
    @SuppressWarnings("unchecked")
    private void drain(SourceState<S> st) {
        boolean freed = false;
        while (st.buffered > 0) {
            int i = st.index(st.next);
            Object message = st.slots[i];
            if (message == null) {
                break;
            }
            sink.accept(st.id, st.next, (T) message);
            st.slots[i] = null;
            st.buffered--;
            buffered--;
            if (st.weights != null) {
                bufferedBytes -= st.weights[i];
            }
            st.next++;
            released++;
            freed = true;
        }
        if (st.buffered == 0) {
            gapped.remove(st.id);
            st.requestAttempt = 0;
        } else if (freed || st.first < st.next) {
            st.first = st.firstBufferedFrom(st.next);
        }
        if (freed && blockedOffers > 0) {
            spaceFreed.signalAll();
        }
    }

    /** Gives up on every sequence in {@code [next, newNext)} and releases what follows. */
    private void skipTo(SourceState<S> st, long newNext) {
        if (newNext <= st.next) {
            return;
        }
        long from = st.next;
        skipped += newNext - from;
        st.rememberSkipped(from, newNext - 1, adaptiveTimeout != null ? ticker.read() : 0);
        listener.onGapSkipped(st.id, from, newNext - 1);
        st.next = newNext;
        st.requestAttempt = 0;
        drain(st);
        if (blockedOffers > 0) {
            spaceFreed.signalAll();
        }
    }

    private void evaluateGap(SourceState<S> st, long now) {
        while (st.buffered > 0 && st.failure == null && st.slots[st.index(st.next)] == null) {
            long age = now - st.arrivalOf(st.first);
            if (gapPolicy instanceof GapPolicy.SkipAfterTimeout
                    || gapPolicy instanceof GapPolicy.Fail
                    || gapPolicy instanceof GapPolicy.SkipAfterAdaptiveTimeout) {
                if (age < gapTimeoutNanos()) {
                    return;
                }
                if (gapPolicy instanceof GapPolicy.Fail) {
                    fail(st);
                    return;
                }
                skipTo(st, st.first);
            } else if (gapPolicy instanceof GapPolicy.RequestRedelivery redelivery) {
                if (age >= fixedTimeoutNanos) {
                    skipTo(st, st.first);
                    continue;
                }
                boolean due = st.requestAttempt == 0
                        ? age >= redelivery.backoff().delayNanos(1)
                        : now - st.lastRequestAt >= redelivery.backoff().delayNanos(st.requestAttempt + 1);
                if (due) {
                    st.requestAttempt++;
                    st.lastRequestAt = now;
                    requestMissing(st);
                }
                return;
            } else {
                return;
            }
        }
    }

    private void fail(SourceState<S> st) {
        failedGaps++;
        long from = st.next;
        long to = st.first - 1;
        st.failure = new SequenceGapException(
                st.id, from, to, "gap older than the FAIL timeout of " + fixedTimeoutNanos + " ns");
        listener.onGapFailed(st.id, from, to);
    }

    private void requestMissing(SourceState<S> st) {
        int attempt = st.requestAttempt;
        S id = st.id;
        long seq = st.next;
        while (seq < st.highest) {
            long from = seq;
            while (seq < st.highest && st.slots[st.index(seq)] == null) {
                seq++;
            }
            if (seq > from) {
                long to = seq - 1;
                redeliveryRequests++;
                deferred.add(() -> requester.request(id, from, to, attempt));
            }
            while (seq <= st.highest && st.slots[st.index(seq)] != null) {
                seq++;
            }
        }
    }

    private void unlockAndRunDeferred() {
        if (deferred.isEmpty()) {
            lock.unlock();
            return;
        }
        List<Runnable> toRun = new ArrayList<>(deferred);
        deferred.clear();
        lock.unlock();
        for (Runnable r : toRun) {
            r.run();
        }
    }

    private SourceState<S> state(S source) {
        SourceState<S> st = lastSource;
        if (st != null && st.id.equals(source)) {
            return st;
        }
        st = sources.computeIfAbsent(source, s -> new SourceState<>(s, resumeAt.getOrDefault(s, firstSequence)));
        lastSource = st;
        return st;
    }

    private long weigh(T message) {
        if (weigher == null) {
            return 0;
        }
        long weight = weigher.applyAsLong(message);
        if (weight < 0) {
            throw new IllegalArgumentException("message weight must be >= 0, was " + weight);
        }
        if (weight > maxBytes) {
            throw new IllegalArgumentException(
                    "message weight must be <= maxBufferedBytes (" + maxBytes + "), was " + weight);
        }
        return weight;
    }

    /** The gap timeout now: fixed, or the adaptive bound's current value. */
    private long gapTimeoutNanos() {
        return adaptiveTimeout != null ? adaptiveTimeout.boundMillis() * 1_000_000 : fixedTimeoutNanos;
    }

    private static long toMillisRoundingUp(long nanos) {
        return (Math.max(0, nanos) + 999_999) / 1_000_000;
    }

    private static long timeoutNanos(GapPolicy policy) {
        if (policy instanceof GapPolicy.SkipAfterTimeout s) {
            return s.timeout().toNanos();
        }
        if (policy instanceof GapPolicy.Fail f) {
            return f.timeout().toNanos();
        }
        if (policy instanceof GapPolicy.RequestRedelivery r) {
            return r.giveUpAfter().toNanos();
        }
        return -1;
    }

    /** Per-source state: the next expected sequence and a ring of buffered successors. */
    private static final class SourceState<S> {
        private static final Object[] NO_SLOTS = new Object[0];

        final S id;
        long next;
        Object[] slots = NO_SLOTS;
        long[] arrivals;
        long[] weights;
        int buffered;
        /** Lowest and highest buffered sequence; meaningful while {@code buffered > 0}. */
        long first;

        long highest;
        int requestAttempt;
        long lastRequestAt;
        SequenceGapException failure;
        /** Recently skipped ranges, to tell a late message from a duplicate. Bounded. */
        final ArrayDeque<long[]> skippedRanges = new ArrayDeque<>();

        SourceState(S id, long next) {
            this.id = id;
            this.next = next;
        }

        int index(long sequence) {
            return (int) (sequence & (slots.length - 1));
        }

        long arrivalOf(long sequence) {
            return arrivals[index(sequence)];
        }

        /** Grows the ring (a power of two) so that it spans {@code span} sequence numbers. */
        void ensureWindow(long span, long maxSpan, boolean trackWeights) {
            if (span <= slots.length) {
                return;
            }
            int length = Math.max(16, Integer.highestOneBit((int) Math.min(span, maxSpan) - 1) << 1);
            Object[] newSlots = new Object[length];
            long[] newArrivals = new long[length];
            long[] newWeights = trackWeights ? new long[length] : null;
            if (buffered > 0) {
                for (long s = first; s <= highest; s++) {
                    int from = index(s);
                    int to = (int) (s & (length - 1));
                    newSlots[to] = slots[from];
                    newArrivals[to] = arrivals[from];
                    if (trackWeights) {
                        newWeights[to] = weights[from];
                    }
                }
            }
            slots = newSlots;
            arrivals = newArrivals;
            weights = newWeights;
        }

        long firstBufferedFrom(long from) {
            long s = from;
            while (slots[index(s)] == null) {
                s++;
            }
            return s;
        }

        /** Remembers {@code [from, to]} as skipped at {@code now}: {from, to, now}. */
        void rememberSkipped(long from, long to, long now) {
            if (skippedRanges.size() == MAX_REMEMBERED_SKIPS) {
                skippedRanges.pollFirst();
            }
            skippedRanges.addLast(new long[] {from, to, now});
        }

        /** When {@code sequence} was skipped, or {@code Long.MIN_VALUE} if it was not (or is forgotten). */
        long skippedAt(long sequence) {
            for (long[] range : skippedRanges) {
                if (sequence >= range[0] && sequence <= range[1]) {
                    return range[2];
                }
            }
            return Long.MIN_VALUE;
        }
    }

    /**
     * Configures a {@link Resequencer}. Defaults: {@code maxBuffered} 10,000 messages, no byte
     * bound, {@link GapPolicy#waitForever()}, {@link OverflowPolicy#BLOCK}, system ticker, first
     * sequence 0.
     */
    public static final class Builder<S, T> {
        private int maxBuffered = 10_000;
        private long maxBufferedBytes = Long.MAX_VALUE;
        private ToLongFunction<? super T> weigher;
        private GapPolicy gapPolicy = GapPolicy.waitForever();
        private OverflowPolicy overflowPolicy = OverflowPolicy.BLOCK;
        private Ticker ticker = Ticker.system();
        private long firstSequence;
        private Map<S, Long> resumeAt = Map.of();
        private ResequencerListener<S> listener = new ResequencerListener<>() {};
        private RedeliveryRequester<S> requester;

        private Builder() {}

        /** The most messages held at once, and the furthest a message may be ahead of the next expected one. */
        public Builder<S, T> maxBuffered(int maxBuffered) {
            this.maxBuffered = Arguments.atLeast("maxBuffered", maxBuffered, 1);
            return this;
        }

        /** The most bytes held at once, each message weighed by {@code weigher}. */
        public Builder<S, T> maxBufferedBytes(long maxBufferedBytes, ToLongFunction<? super T> weigher) {
            this.maxBufferedBytes = Arguments.atLeast("maxBufferedBytes", maxBufferedBytes, 1);
            this.weigher = Objects.requireNonNull(weigher, "weigher must not be null");
            return this;
        }

        public Builder<S, T> gapPolicy(GapPolicy gapPolicy) {
            this.gapPolicy = Objects.requireNonNull(gapPolicy, "gapPolicy must not be null");
            return this;
        }

        public Builder<S, T> overflowPolicy(OverflowPolicy overflowPolicy) {
            this.overflowPolicy = Objects.requireNonNull(overflowPolicy, "overflowPolicy must not be null");
            return this;
        }

        public Builder<S, T> ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker must not be null");
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

        /** Where {@link GapPolicy#requestRedelivery} sends its requests; required by that policy. */
        public Builder<S, T> redeliveryRequester(RedeliveryRequester<S> requester) {
            this.requester = Objects.requireNonNull(requester, "requester must not be null");
            return this;
        }

        /** Builds a resequencer that releases to {@code sink}. */
        public Resequencer<S, T> build(Sink<S, T> sink) {
            Objects.requireNonNull(sink, "sink must not be null");
            if (gapPolicy.kind() == GapPolicy.Kind.REQUEST_REDELIVERY && requester == null) {
                throw new IllegalStateException("gapPolicy REQUEST_REDELIVERY needs a redeliveryRequester");
            }
            return new Resequencer<>(this, sink);
        }
    }
}
