package dev.ordo.flow;

import dev.ordo.Arguments;
import dev.ordo.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * How much a reorder buffer may hold, what happens to a message beyond that, and the clock of its
 * timed decisions: the options a {@link dev.ordo.sequence.Resequencer} and a
 * {@link dev.ordo.time.EventTimeReorderer} share. Their builders fill one of these and both stages
 * consult it, so the options, their checks and their messages exist once.
 *
 * <pre>{@code
 * BufferBounds<Txn> bounds = BufferBounds.<Txn>of(10_000)
 *         .withMaxBufferedBytes(64 << 20, Txn::sizeInBytes)
 *         .withOverflowPolicy(OverflowPolicy.REFUSE);
 * }</pre>
 *
 * @param maxBuffered the most messages held at once, at least 1
 * @param maxBufferedBytes the most bytes held at once, each message weighed by {@code weigher}
 *        ({@code Long.MAX_VALUE}: no byte bound)
 * @param weigher a message's weight in bytes; null when there is no byte bound
 * @param overflowPolicy what happens to a message that does not fit
 * @param maxBlock how long {@link OverflowPolicy#BLOCK} waits for room, in real time, before it gives
 *        up with an {@link dev.ordo.OverloadedException}
 * @param ticker the clock of the stage's timed decisions (gap ages, idleness); tests inject a
 *        {@link dev.ordo.ManualTicker}
 * @param <T> the message type
 */
public record BufferBounds<T>(
        int maxBuffered,
        long maxBufferedBytes,
        ToLongFunction<? super T> weigher,
        OverflowPolicy overflowPolicy,
        Duration maxBlock,
        Ticker ticker) {

    /**
     * The default {@link #maxBlock}, as Kafka's producer {@code max.block.ms}: long enough for a blocked
     * producer to ride out a gap timeout or a redelivery round trip of a few seconds, short enough that
     * a stuck pipeline surfaces as an exception within a minute instead of as a silent hang.
     */
    public static final Duration DEFAULT_MAX_BLOCK = Duration.ofSeconds(60);

    public BufferBounds {
        Arguments.atLeast("maxBuffered", maxBuffered, 1);
        Arguments.atLeast("maxBufferedBytes", maxBufferedBytes, 1);
        if (weigher == null && maxBufferedBytes != Long.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "a byte bound needs a weigher, was null (maxBufferedBytes " + maxBufferedBytes + ")");
        }
        Objects.requireNonNull(overflowPolicy, "overflowPolicy must not be null");
        Arguments.nonNegative("maxBlock", maxBlock);
        Objects.requireNonNull(ticker, "ticker must not be null");
    }

    /**
     * At most {@code maxBuffered} messages, no byte bound, {@link OverflowPolicy#BLOCK} for at most
     * {@link #DEFAULT_MAX_BLOCK}, the system ticker.
     */
    public static <T> BufferBounds<T> of(int maxBuffered) {
        return new BufferBounds<>(
                maxBuffered, Long.MAX_VALUE, null, OverflowPolicy.BLOCK, DEFAULT_MAX_BLOCK, Ticker.system());
    }

    public BufferBounds<T> withMaxBuffered(int maxBuffered) {
        return new BufferBounds<>(maxBuffered, maxBufferedBytes, weigher, overflowPolicy, maxBlock, ticker);
    }

    /** At most {@code maxBufferedBytes} bytes held, each message weighed by {@code weigher}. */
    public BufferBounds<T> withMaxBufferedBytes(long maxBufferedBytes, ToLongFunction<? super T> weigher) {
        Objects.requireNonNull(weigher, "weigher must not be null");
        return new BufferBounds<>(maxBuffered, maxBufferedBytes, weigher, overflowPolicy, maxBlock, ticker);
    }

    public BufferBounds<T> withOverflowPolicy(OverflowPolicy overflowPolicy) {
        return new BufferBounds<>(maxBuffered, maxBufferedBytes, weigher, overflowPolicy, maxBlock, ticker);
    }

    /** How long {@link OverflowPolicy#BLOCK} waits for room (zero: evaluate once, then give up). */
    public BufferBounds<T> withMaxBlock(Duration maxBlock) {
        return new BufferBounds<>(maxBuffered, maxBufferedBytes, weigher, overflowPolicy, maxBlock, ticker);
    }

    public BufferBounds<T> withTicker(Ticker ticker) {
        return new BufferBounds<>(maxBuffered, maxBufferedBytes, weigher, overflowPolicy, maxBlock, ticker);
    }

    /** Whether messages are weighed (there is a byte bound). */
    public boolean weighs() {
        return weigher != null;
    }

    /**
     * The weight of {@code message} (0 without a byte bound).
     *
     * @throws IllegalArgumentException if it is negative or more than {@code maxBufferedBytes}: such a
     *         message could never fit
     */
    public long weigh(T message) {
        if (weigher == null) {
            return 0;
        }
        long weight = weigher.applyAsLong(message);
        if (weight < 0) {
            throw new IllegalArgumentException("message weight must be >= 0, was " + weight);
        }
        if (weight > maxBufferedBytes) {
            throw new IllegalArgumentException(
                    "message weight must be <= maxBufferedBytes (" + maxBufferedBytes + "), was " + weight);
        }
        return weight;
    }

    /** Whether one more message of {@code weight} fits next to {@code held} messages of {@code heldBytes}. */
    public boolean fits(int held, long heldBytes, long weight) {
        return held < maxBuffered && heldBytes + weight <= maxBufferedBytes;
    }

    /**
     * Which bound one more of {@code weight} hits, for overflow messages:
     * {@code holds 2 messages; maxBuffered is 2} ({@code what} names the items: "messages", "events").
     */
    public String whichBound(int held, long heldBytes, long weight, String what) {
        if (held >= maxBuffered) {
            return "holds " + held + " " + what + "; maxBuffered is " + maxBuffered;
        }
        return "holds " + heldBytes + " bytes and the next weighs " + weight + "; maxBufferedBytes is "
                + maxBufferedBytes;
    }

    /** The real-time ({@link System#nanoTime()}) deadline of a {@link OverflowPolicy#BLOCK} wait starting now. */
    public long blockDeadline() {
        long now = System.nanoTime();
        long wait = maxBlock.compareTo(Duration.ofDays(365 * 100)) > 0 ? Long.MAX_VALUE / 2 : maxBlock.toNanos();
        return now + wait;
    }
}
