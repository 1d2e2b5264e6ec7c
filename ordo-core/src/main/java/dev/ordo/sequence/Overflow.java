package dev.ordo.sequence;

import dev.ordo.OrdoInterruptedException;
import dev.ordo.Ticker;
import dev.ordo.flow.BufferBounds;
import dev.ordo.flow.OverflowPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What an offer meets when its message does not fit in a {@link Resequencer}: the {@link OverflowPolicy}
 * refuses it, rejects it, forces a gap open or blocks for room, and a {@link ResequencerFullException}
 * names the bound it hit and the gap that holds everything back. An offer only comes here once the source
 * windows found no room, so this is apart from the offer path; called under the resequencer's lock, which
 * a blocked offer lets go while it waits.
 *
 * @param <S> the source id type
 * @param <T> the message type
 */
final class Overflow<S, T> {

    /** How long a blocked offer waits before it looks at the gap policy again. */
    private static final long BLOCK_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final BufferBounds<T> bounds;
    private final OverflowPolicy policy;
    private final Ticker ticker;
    private final ResequencerLock lock;
    private final SourceWindows<S, T> windows;

    Overflow(BufferBounds<T> bounds, ResequencerLock lock, SourceWindows<S, T> windows) {
        this.bounds = bounds;
        this.policy = bounds.overflowPolicy();
        this.ticker = bounds.ticker();
        this.lock = lock;
        this.windows = windows;
    }

    /** Applies the overflow policy to a message the windows had no room for, until it is taken or refused. */
    Resequencer.Offer apply(S source, long sequence, T message, long weight) {
        long deadline = 0;
        boolean blocking = false;
        while (true) {
            switch (policy) {
                case REFUSE -> {
                    windows.refuse(source, sequence);
                    return Resequencer.Offer.REFUSED;
                }
                case REJECT -> throw full(source, sequence, weight, "");
                case FORCE_GAP -> windows.forceGap(source, sequence);
                case BLOCK -> {
                    if (!blocking) {
                        blocking = true;
                        deadline = bounds.blockDeadline();
                    } else if (System.nanoTime() - deadline >= 0) {
                        throw full(source, sequence, weight, "; still full after maxBlock " + bounds.maxBlock());
                    }
                    awaitRoom(source, sequence, deadline);
                }
                default -> throw new AssertionError(policy);
            }
            Resequencer.Offer offer = windows.offer(source, sequence, message, weight);
            if (offer != null) {
                return offer;
            }
        }
    }

    /**
     * One step of a blocked offer: keeps the gap policy alive (the offering thread may be the only
     * one that could fill the gap), runs due redelivery requests outside the lock, else waits for
     * room a little.
     */
    private void awaitRoom(S source, long sequence, long deadline) {
        windows.evaluateAll(ticker.read());
        if (!windows.deferred.isEmpty()) {
            runDeferredUnlocked();
            return;
        }
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            return;
        }
        windows.blockedOffers++;
        try {
            lock.awaitNanos(Math.min(remaining, BLOCK_STEP_NANOS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrdoInterruptedException(
                    "interrupted while waiting for resequencer space for sequence " + sequence + " of source " + source,
                    e);
        } finally {
            windows.blockedOffers--;
        }
    }

    private void runDeferredUnlocked() {
        List<Runnable> toRun = new ArrayList<>(windows.deferred);
        windows.deferred.clear();
        lock.unlock();
        try {
            toRun.forEach(Runnable::run);
        } finally {
            lock.lock();
        }
    }

    private ResequencerFullException full(S source, long sequence, long weight, String waited) {
        return new ResequencerFullException(
                source,
                sequence,
                windows.nextExpected(source),
                windows.buffered(),
                windows.reports.oldestGap(ticker.read()),
                whyFull(source, sequence, weight) + waited);
    }

    /** Why {@code sequence} of {@code source} does not fit, naming the bound it hits. */
    private String whyFull(S source, long sequence, long weight) {
        long next = windows.nextExpected(source);
        long distance = sequence - next;
        if (distance > bounds.maxBuffered()) {
            return "sequence " + sequence + " of source " + source + " is " + distance + " ahead of the next expected "
                    + next + "; maxBuffered is " + bounds.maxBuffered();
        }
        return "it " + bounds.whichBound(windows.buffered(), windows.bufferedBytes(), weight, "messages");
    }
}
