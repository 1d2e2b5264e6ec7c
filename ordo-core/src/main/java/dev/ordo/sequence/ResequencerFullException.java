package dev.ordo.sequence;

import dev.ordo.OverloadedException;
import java.util.Optional;

/**
 * A {@link Resequencer} could not take a message because it is full: thrown at once under
 * {@link dev.ordo.flow.OverflowPolicy#REJECT}, and under {@link dev.ordo.flow.OverflowPolicy#BLOCK}
 * once {@code maxBlock} has passed without room. Nothing was accepted; the message and its
 * accessors say what the resequencer waits for, so that the cause of a stall is named, not guessed.
 */
public class ResequencerFullException extends OverloadedException {

    private final transient Object source;
    private final long sequence;
    private final long nextExpected;
    private final int buffered;
    private final transient Gap<?> oldestGap;

    public ResequencerFullException(
            Object source, long sequence, long nextExpected, int buffered, Gap<?> oldestGap, String detail) {
        super("resequencer full: cannot take sequence " + sequence + " of source " + source
                + " (next expected " + nextExpected + "): " + detail + "; "
                + (oldestGap == null ? "no gap holds messages back" : "oldest gap: " + oldestGap));
        this.source = source;
        this.sequence = sequence;
        this.nextExpected = nextExpected;
        this.buffered = buffered;
        this.oldestGap = oldestGap;
    }

    /** The source of the message that was not taken. */
    public Object source() {
        return source;
    }

    /** The sequence number of the message that was not taken. */
    public long sequence() {
        return sequence;
    }

    /** The next sequence expected from {@link #source()}. */
    public long nextExpected() {
        return nextExpected;
    }

    /** Messages the resequencer held (all sources). */
    public int buffered() {
        return buffered;
    }

    /** The gap holding messages back the longest, of any source: what the resequencer waits for. */
    public Optional<Gap<?>> oldestGap() {
        return Optional.ofNullable(oldestGap);
    }
}
