package dev.ordo.sequence;

import dev.ordo.flow.Backoff;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One source's part of a {@link Resequencer}: its next expected sequence, a ring of the messages
 * buffered ahead of it, and what is known about the runs of missing numbers between them (since
 * when each has been missing, the highest number refused for room, redelivery and halt state).
 * Guarded by the resequencer's lock.
 *
 * <p>A source is <em>waiting</em> while it holds messages or a refused sequence lies ahead of it.
 * Gap ages come from <em>openers</em>: a message seen beyond every sequence known so far (buffered
 * or refused) reveals that the numbers before it are missing, so the ticker is read once for it
 * and never for messages that fill or extend what is known. A number has been missing since the
 * first opener above it was seen; openers arrive in increasing sequence and time, so the oldest
 * pending opener dates the head gap.
 *
 * @param <S> the source id type
 */
final class SourceState<S> {
    private static final Object[] NO_SLOTS = new Object[0];
    private static final int MAX_REMEMBERED_SKIPS = 64;

    final S id;
    /** The next sequence number to release. */
    long next;
    /** Buffered messages at {@code sequence & (length - 1)}; null where missing. */
    Object[] slots = NO_SLOTS;

    long[] weights;
    int buffered;
    /** Lowest and highest buffered sequence; meaningful while {@code buffered > 0}. */
    long first;

    long highest;
    /** The highest sequence refused for room ({@code OverflowPolicy.REFUSE}); matters while {@code >= next}. */
    long refusedUpTo = -1;

    /** Pending openers, a ring of (sequence, ticker reading) in increasing order of both. */
    private long[] openerSequences = new long[4];

    private long[] openerTimes = new long[4];
    private int openerHead;
    private int openerCount;

    int requestAttempt;
    long lastRequestAt;
    /** When an operator last resumed this source while it waited, re-arming the halt deadline. */
    long resumedAt = Long.MIN_VALUE;

    boolean halted;
    SequenceGapException failure;
    /** Recently skipped ranges {from, to, ticker reading}, to tell a late message from a duplicate. Bounded. */
    private final ArrayDeque<long[]> skippedRanges = new ArrayDeque<>();

    SourceState(S id, long next) {
        this.id = id;
        this.next = next;
    }

    int index(long sequence) {
        return (int) (sequence & (slots.length - 1));
    }

    /** Holds messages, or knows of a refused sequence ahead of {@link #next}. */
    boolean waiting() {
        return buffered > 0 || refusedUpTo >= next;
    }

    /** The highest sequence known to exist, buffered or refused; meaningful while {@link #waiting()}. */
    long seenHighest() {
        return buffered > 0 ? Math.max(highest, refusedUpTo) : refusedUpTo;
    }

    /** The next expected sequence is not buffered (a sink failure can leave it buffered). */
    boolean headMissing() {
        return buffered == 0 || slots[index(next)] == null;
    }

    /** Buffers {@code message} at {@code sequence}, ahead of {@link #next} and not yet held. */
    void store(long sequence, Object message, long weight, long maxSpan, boolean trackWeights) {
        ensureWindow(sequence - next + 1, maxSpan, trackWeights);
        int i = index(sequence);
        slots[i] = message;
        if (weights != null) {
            weights[i] = weight;
        }
        if (buffered == 0) {
            first = sequence;
            highest = sequence;
        } else if (sequence > highest) {
            highest = sequence;
        } else if (sequence < first) {
            first = sequence;
        }
        buffered++;
    }

    /** Grows the ring (a power of two) so that it spans {@code span} sequence numbers. */
    private void ensureWindow(long span, long maxSpan, boolean trackWeights) {
        if (span <= slots.length) {
            return;
        }
        int length = Math.max(16, Integer.highestOneBit((int) Math.min(span, maxSpan) - 1) << 1);
        Object[] newSlots = new Object[length];
        long[] newWeights = trackWeights ? new long[length] : null;
        if (buffered > 0) {
            for (long s = first; s <= highest; s++) {
                int from = index(s);
                int to = (int) (s & (length - 1));
                newSlots[to] = slots[from];
                if (trackWeights) {
                    newWeights[to] = weights[from];
                }
            }
        }
        slots = newSlots;
        weights = newWeights;
    }

    /** The lowest buffered sequence from {@code from} on; there must be one. */
    long firstBufferedFrom(long from) {
        long s = from;
        while (slots[index(s)] == null) {
            s++;
        }
        return s;
    }

    /** Records that {@code sequence}, beyond everything known, was seen at {@code now}. */
    void noteOpener(long sequence, long now) {
        dropOpenersBelowNext();
        if (openerCount == openerSequences.length) {
            growOpeners();
        }
        int i = (openerHead + openerCount) & (openerSequences.length - 1);
        openerSequences[i] = sequence;
        openerTimes[i] = now;
        openerCount++;
    }

    /**
     * Records a refused {@code sequence} beyond everything known. A run of refusals with nothing
     * buffered above it extends one opener rather than adding one each, so a sender racing ahead
     * cannot grow this ring: the refused range counts as missing since its first refusal.
     */
    void noteRefusedOpener(long sequence, long now) {
        dropOpenersBelowNext();
        if (openerCount > 0) {
            int last = (openerHead + openerCount - 1) & (openerSequences.length - 1);
            if (openerSequences[last] > (buffered > 0 ? highest : next - 1)) {
                openerSequences[last] = sequence;
                return;
            }
        }
        noteOpener(sequence, now);
    }

    /** The ticker reading since which {@link #next} has been missing; meaningful while waiting. */
    long waitingSince() {
        dropOpenersBelowNext();
        return openerTimes[openerHead];
    }

    /** Forgets openers of released or skipped numbers; keeps the last so that a reading exists. */
    void dropOpenersBelowNext() {
        int mask = openerSequences.length - 1;
        while (openerCount > 1 && openerSequences[openerHead] < next) {
            openerHead = (openerHead + 1) & mask;
            openerCount--;
        }
    }

    private void growOpeners() {
        int length = openerSequences.length;
        long[] sequences = new long[length * 2];
        long[] times = new long[length * 2];
        for (int k = 0; k < openerCount; k++) {
            int i = (openerHead + k) & (length - 1);
            sequences[k] = openerSequences[i];
            times[k] = openerTimes[i];
        }
        openerSequences = sequences;
        openerTimes = times;
        openerHead = 0;
    }

    /** The source no longer waits: its gap bookkeeping starts afresh with the next gap. */
    void endWaiting() {
        openerHead = 0;
        openerCount = 0;
        requestAttempt = 0;
        resumedAt = Long.MIN_VALUE;
    }

    /**
     * Whether a redelivery request is due: the first once the gap is {@code backoff.initial()} old,
     * the following ones {@link Backoff#delayNanos} after the previous.
     */
    boolean requestDue(Backoff backoff, long ageNanos, long now) {
        return requestAttempt == 0
                ? ageNanos >= backoff.delayNanos(1)
                : now - lastRequestAt >= backoff.delayNanos(requestAttempt + 1);
    }

    /** The open gaps, lowest first, each dated by the first opener above it; empty unless waiting. */
    List<Gap<S>> gaps(long now) {
        List<Gap<S>> gaps = new ArrayList<>();
        if (!waiting()) {
            return gaps;
        }
        dropOpenersBelowNext();
        int opener = 0;
        int below = 0;
        long s = next;
        if (buffered > 0) {
            while (s < highest) {
                if (slots[index(s)] != null) {
                    below++;
                    s++;
                    continue;
                }
                long from = s;
                while (slots[index(s)] == null) {
                    s++;
                }
                opener = openerAtOrAbove(from, opener);
                gaps.add(gap(from, s - 1, openerTime(opener), now, buffered - below));
            }
            s = highest + 1;
        }
        if (refusedUpTo >= s) {
            opener = openerAtOrAbove(s, opener);
            gaps.add(gap(s, refusedUpTo, openerTime(opener), now, 0));
        }
        return gaps;
    }

    /** The gap at {@link #next}, or null if the source is not waiting or its head is buffered. */
    Gap<S> headGap(long now) {
        if (!waiting() || !headMissing()) {
            return null;
        }
        long to = buffered > 0 ? first - 1 : refusedUpTo;
        return gap(next, to, waitingSince(), now, buffered);
    }

    /** The runs of missing sequence numbers, lowest first. */
    List<SequenceRange> missingRanges() {
        return gaps(0).stream().map(Gap::missing).toList();
    }

    /** The alert of this source as it stands at {@code now}; it must be waiting. */
    CriticalAlert<S> alert(long now) {
        List<SequenceRange> missing = missingRanges();
        long since = waitingSince();
        SequenceRange head = missing.get(0);
        List<String> actions = List.of(
                "ask the sender of " + id + " to send " + SequenceRange.summarize(missing)
                        + " again; the source continues by itself once they arrive",
                "resume(" + id + ") to acknowledge this alert and keep waiting",
                "skip(" + id + ", " + head.to() + ", reason) to give up on " + head
                        + ", knowing that the effects of those messages are lost");
        return new CriticalAlert<>(id, missing, since, Duration.ofNanos(Math.max(0, now - since)), buffered, actions);
    }

    private Gap<S> gap(long from, long to, long since, long now, int heldBehind) {
        return new Gap<>(id, from, to, since, Duration.ofNanos(Math.max(0, now - since)), heldBehind);
    }

    /** The position (from the head) of the first pending opener at or above {@code sequence}. */
    private int openerAtOrAbove(long sequence, int fromPosition) {
        int k = fromPosition;
        while (k < openerCount - 1 && openerSequences[(openerHead + k) & (openerSequences.length - 1)] < sequence) {
            k++;
        }
        return k;
    }

    private long openerTime(int position) {
        return openerTimes[(openerHead + position) & (openerSequences.length - 1)];
    }

    /** Remembers {@code [from, to]} as skipped at {@code now}. */
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
