package dev.ordo.sequence;

import dev.ordo.Ticker;
import dev.ordo.flow.Backoff;
import dev.ordo.flow.OverflowPolicy;
import dev.ordo.time.AdaptiveBound;
import dev.ordo.time.ArrivalModel;
import java.time.Duration;
import java.util.Optional;

/**
 * What a {@link Resequencer} does when a sequence number is missing while later ones wait behind it:
 * one small class per choice, each with its own behaviour (as the Disruptor's wait strategies), made
 * by the factories below.
 *
 * <p>The age of a gap is how long its numbers have been known to be missing: since a message
 * beyond them arrived (or was refused for room), by the resequencer's {@link Ticker}, read once
 * when the gap opens. Timed policies act on {@link Resequencer#tick()}, while an offer is blocked
 * for room, and on a {@link Resequencer#offer} that opens a gap; other buffered offers look at the
 * clock only now and then (one in 64), as a clock read costs as much as buffering a message. So a
 * timed policy never acts before its timeout, and may act later than it on offers alone: call
 * {@code tick()} regularly (or from a timer) so that gaps are handled in time, and even when no
 * new messages arrive.
 *
 * <ul>
 *   <li>{@link #waitForever()} ({@link Kind#WAIT}, the default): hold back until the missing
 *       message arrives.</li>
 *   <li>{@link #neverSkip(Duration, Duration, Duration)} ({@link Kind#NEVER_SKIP}): strict order for
 *       data where a skip is worse than a stop (a ledger): ask for the missing ranges again and
 *       again, and halt the source with a {@link CriticalAlert} once the gap is too old; only an
 *       operator may skip.</li>
 *   <li>{@link #skipAfter(Duration)} ({@link Kind#SKIP_AFTER_TIMEOUT}): give up on the missing
 *       messages once the gap is this old and release what waits behind it;
 *       {@link #skipAfter(AdaptiveBound)} learns the timeout from observed gap fill times,
 *       {@link #skipAfter(ArrivalModel, double)} per source and time of day.</li>
 *   <li>{@link #requestRedelivery(Duration, Duration, Duration)} ({@link Kind#REQUEST_REDELIVERY}):
 *       ask the sender for the missing ranges, again with exponential backoff, and skip them once
 *       the gap is older than the give-up time (lossy).</li>
 *   <li>{@link #failAfter(Duration)} ({@link Kind#FAIL}): treat a gap this old as fatal for its
 *       source; offers and ticks then throw {@link SequenceGapException}.</li>
 * </ul>
 */
public abstract sealed class GapPolicy permits WaitForever, NeverSkip, AfterTimeout, RequestRedelivery {

    /** The policy names, for configuration, metrics and logs. */
    public enum Kind {
        WAIT,
        NEVER_SKIP,
        SKIP_AFTER_TIMEOUT,
        REQUEST_REDELIVERY,
        FAIL
    }

    GapPolicy() {}

    /** Never give up on a missing message. Memory is still bounded by the resequencer's capacity. */
    public static GapPolicy waitForever() {
        return WaitForever.INSTANCE;
    }

    /**
     * Never skip a missing message by itself: strict order for data where applying a later message
     * without an earlier one is worse than stopping (a ledger, a replicated log).
     *
     * <ul>
     *   <li>Once a gap is {@code initialBackoff} old, its ranges (and any range refused for room)
     *       are requested from the {@link Resequencer.Builder#redeliveryRequester redelivery
     *       requester}, then again after doubling waits capped at {@code maxBackoff}, for as long as
     *       they are missing. Without a requester the policy just waits.</li>
     *   <li>Once the gap is {@code haltAfter} old the source is <b>halted</b>: a {@link CriticalAlert}
     *       goes to {@link ResequencerListener#onHalted}, to the log at ERROR and to the meters. Its
     *       later messages stay held (within the buffer's bounds; beyond them the overflow policy
     *       applies, so with {@code REFUSE} or {@code REJECT} its sender is held back); other sources
     *       go on.</li>
     *   <li>When the missing messages arrive the source continues by itself
     *       ({@link ResequencerListener#onRecovered}). {@link Resequencer#resume} acknowledges the
     *       alert and waits another {@code haltAfter}; {@link Resequencer#skip} gives up on the
     *       missing messages as a recorded operator decision.</li>
     * </ul>
     *
     * <p>Cannot be combined with {@link dev.ordo.flow.OverflowPolicy#FORCE_GAP}, which skips.
     */
    public static GapPolicy neverSkip(Duration initialBackoff, Duration maxBackoff, Duration haltAfter) {
        return new NeverSkip(Backoff.exponential(initialBackoff, maxBackoff), haltAfter);
    }

    /** Skip missing messages once they have been missing for {@code timeout}. */
    public static GapPolicy skipAfter(Duration timeout) {
        return new SkipAfterTimeout(timeout);
    }

    /**
     * Skip missing messages once they have been missing longer than the adaptive bound, which
     * learns from how long gaps took to fill (and how late skipped messages turned up): the timeout
     * follows the measured network instead of a constant. The bound is in milliseconds; give it an
     * initial value ({@link AdaptiveBound#withInitial}) for the start.
     */
    public static GapPolicy skipAfter(AdaptiveBound bound) {
        return new SkipAfterAdaptiveTimeout(bound);
    }

    /**
     * Skip missing messages of a source once they have been missing longer than the delay within
     * which {@code quantile} of that source's messages arrive at this time of day, as {@code model}
     * learned it from how long each source's gaps took to fill (and how late its skipped messages
     * turned up): a fast source gives up sooner than a slow one, and a busy hour seen on earlier
     * days gets its longer timeout. The time of day is read from the model's
     * {@link ArrivalModel#withDayClock day clock}; before the model knows anything the timeout is
     * its {@link ArrivalModel#withDefault default}. Each resequencer should have a model of its own.
     */
    public static GapPolicy skipAfter(ArrivalModel model, double quantile) {
        return new SkipAfterLearnedTimeout(model, quantile);
    }

    /**
     * Request the missing ranges from the sender once a gap is {@code initialBackoff} old, then
     * again after doubling waits capped at {@code maxBackoff}; <b>skip</b> the gap once it is
     * {@code giveUpAfter} old. The requests go to the builder's
     * {@link Resequencer.Builder#redeliveryRequester redelivery requester}.
     *
     * <p>This policy is lossy by design: when the sender cannot deliver in time, later messages are
     * applied without the missing ones. Where that is wrong (balances, state machines), use
     * {@link #neverSkip(Duration, Duration, Duration)}, which asks in the same way but halts instead
     * of skipping.
     */
    public static GapPolicy requestRedelivery(Duration initialBackoff, Duration maxBackoff, Duration giveUpAfter) {
        return new RequestRedelivery(Backoff.exponential(initialBackoff, maxBackoff), giveUpAfter);
    }

    /** Fail the source once a gap has held messages back for {@code timeout} (zero: at once). */
    public static GapPolicy failAfter(Duration timeout) {
        return new FailAfter(timeout);
    }

    public abstract Kind kind();

    /** The factory call that makes this policy, with its settings: {@code skipAfter(PT1S)}. */
    @Override
    public abstract String toString();

    /** Whether the policy acts on gap ages, so that offers that buffer look at the clock now and then. */
    abstract boolean timed();

    /**
     * Applies the policy to the gap at the head of {@code source} (which waits and misses its next
     * expected sequence) at ticker time {@code now}, through {@code actions}.
     */
    abstract <S> void apply(SourceState<S> source, long now, GapActions<S> actions);

    /** Why this policy cannot work with a resequencer's other settings, if it cannot. */
    final Optional<String> conflict(boolean hasRequester, OverflowPolicy overflow) {
        if (needsRequester() && !hasRequester) {
            return Optional.of("gapPolicy " + this + " needs a redeliveryRequester");
        }
        if (!allowsOverflowSkips() && overflow == OverflowPolicy.FORCE_GAP) {
            return Optional.of("gapPolicy " + this + " never skips, but overflowPolicy "
                    + "FORCE_GAP skips the oldest gap to make room; choose REFUSE, REJECT or BLOCK");
        }
        return Optional.empty();
    }

    /** Whether the resequencer may be built without a redelivery requester. */
    boolean needsRequester() {
        return false;
    }

    /** Whether the overflow policy may skip gaps to make room ({@code FORCE_GAP}). */
    boolean allowsOverflowSkips() {
        return true;
    }

    /** The head gap of {@code source} is being filled; a learning policy measures how long it waited. */
    void headFilled(SourceState<?> source, Ticker ticker) {}

    /** A message of {@code source} arrived after its sequence was skipped at ticker reading {@code skippedAt}. */
    void lateArrival(SourceState<?> source, long skippedAt, Ticker ticker) {}
}
