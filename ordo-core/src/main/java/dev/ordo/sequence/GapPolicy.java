package dev.ordo.sequence;

import dev.ordo.Arguments;
import dev.ordo.flow.Backoff;
import dev.ordo.time.AdaptiveBound;
import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link Resequencer} does when a sequence number is missing while later ones wait behind it.
 *
 * <p>The age of a gap is how long the oldest message held back by it has been waiting, measured
 * with the resequencer's {@link dev.ordo.Ticker}. Timed policies act on {@link Resequencer#offer}
 * and {@link Resequencer#tick()}; call {@code tick()} regularly (or from a timer) so that gaps are
 * handled even when no new messages arrive.
 *
 * <ul>
 *   <li>{@link #waitForever()} ({@link Kind#WAIT}): hold back until the missing message arrives.</li>
 *   <li>{@link #skipAfter(Duration)} ({@link Kind#SKIP_AFTER_TIMEOUT}): give up on the missing
 *       messages once the gap is this old and release what waits behind it;
 *       {@link #skipAfter(AdaptiveBound)} learns the timeout from observed gap fill times.</li>
 *   <li>{@link #requestRedelivery(Duration, Duration, Duration)} ({@link Kind#REQUEST_REDELIVERY}):
 *       ask the sender for the missing ranges, again with exponential backoff, and skip them once
 *       the gap is older than the give-up time.</li>
 *   <li>{@link #failAfter(Duration)} ({@link Kind#FAIL}): treat a gap this old as fatal for its
 *       source; offers and ticks then throw {@link SequenceGapException}.</li>
 * </ul>
 */
public sealed interface GapPolicy {

    /** The policy names, for configuration, metrics and logs. */
    enum Kind {
        WAIT,
        SKIP_AFTER_TIMEOUT,
        REQUEST_REDELIVERY,
        FAIL
    }

    Kind kind();

    /** Never give up on a missing message. Memory is still bounded by the resequencer's capacity. */
    static GapPolicy waitForever() {
        return Wait.INSTANCE;
    }

    /** Skip missing messages once the oldest message held back by them has waited {@code timeout}. */
    static GapPolicy skipAfter(Duration timeout) {
        return new SkipAfterTimeout(timeout);
    }

    /**
     * Skip missing messages once the oldest message held back by them has waited longer than the
     * adaptive bound, which learns from how long gaps took to fill (and how late skipped messages
     * turned up): the timeout follows the measured network instead of a constant. The bound is
     * in milliseconds; give it an initial value ({@link AdaptiveBound#withInitial}) for the start.
     */
    static GapPolicy skipAfter(AdaptiveBound bound) {
        return new SkipAfterAdaptiveTimeout(bound);
    }

    /**
     * Request the missing ranges from the sender once a gap is {@code initialBackoff} old, then
     * again after doubling waits capped at {@code maxBackoff}; skip the gap once it is
     * {@code giveUpAfter} old. The requests go to the builder's
     * {@link Resequencer.Builder#redeliveryRequester redelivery requester}.
     */
    static GapPolicy requestRedelivery(Duration initialBackoff, Duration maxBackoff, Duration giveUpAfter) {
        return new RequestRedelivery(Backoff.exponential(initialBackoff, maxBackoff), giveUpAfter);
    }

    /** Fail the source once a gap has held messages back for {@code timeout} (zero: at once). */
    static GapPolicy failAfter(Duration timeout) {
        return new Fail(timeout);
    }

    /** See {@link GapPolicy#waitForever()}. */
    enum Wait implements GapPolicy {
        INSTANCE;

        @Override
        public Kind kind() {
            return Kind.WAIT;
        }
    }

    /** See {@link GapPolicy#skipAfter(Duration)}. */
    record SkipAfterTimeout(Duration timeout) implements GapPolicy {
        public SkipAfterTimeout {
            Arguments.nonNegative("timeout", timeout);
        }

        @Override
        public Kind kind() {
            return Kind.SKIP_AFTER_TIMEOUT;
        }
    }

    /** See {@link GapPolicy#skipAfter(AdaptiveBound)}. */
    record SkipAfterAdaptiveTimeout(AdaptiveBound bound) implements GapPolicy {
        public SkipAfterAdaptiveTimeout {
            Objects.requireNonNull(bound, "bound must not be null");
        }

        @Override
        public Kind kind() {
            return Kind.SKIP_AFTER_TIMEOUT;
        }
    }

    /**
     * See {@link GapPolicy#requestRedelivery(Duration, Duration, Duration)}: the first request when
     * the gap is {@code backoff.initial()} old, the following ones {@link Backoff#delayNanos} apart.
     */
    record RequestRedelivery(Backoff backoff, Duration giveUpAfter) implements GapPolicy {
        public RequestRedelivery {
            Objects.requireNonNull(backoff, "backoff must not be null");
            Arguments.nonNegative("giveUpAfter", giveUpAfter);
        }

        @Override
        public Kind kind() {
            return Kind.REQUEST_REDELIVERY;
        }
    }

    /** See {@link GapPolicy#failAfter(Duration)}. */
    record Fail(Duration timeout) implements GapPolicy {
        public Fail {
            Arguments.nonNegative("timeout", timeout);
        }

        @Override
        public Kind kind() {
            return Kind.FAIL;
        }
    }
}
