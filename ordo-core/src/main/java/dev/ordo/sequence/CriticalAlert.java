package dev.ordo.sequence;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A source halted by {@link GapPolicy#neverSkip}: messages of it have been missing for longer than
 * the policy's {@code haltAfter}, and since skipping them is not allowed, nothing after them is
 * released until they arrive or an operator decides. Delivered to
 * {@link ResequencerListener#onHalted}, logged at ERROR and counted by the meters; the current ones
 * are listed by {@link Resequencer#halted()}.
 *
 * <p>The way out is one of the {@link #suggestedActions()}: get the sender to send the missing
 * ranges again (the source then continues by itself), {@link Resequencer#resume} to acknowledge
 * and keep waiting, or {@link Resequencer#skip} to give up on them knowing that their effects are
 * lost.
 *
 * @param source the halted source
 * @param missing the runs of sequence numbers it waits for, lowest first
 * @param sinceNanos the ticker reading when the oldest of them was first seen missing
 * @param waited how long that is, by the resequencer's ticker
 * @param heldBehind messages of the source buffered behind the missing ones
 * @param suggestedActions what an operator can do, as readable sentences
 * @param <S> the source id type
 */
public record CriticalAlert<S>(
        S source,
        List<SequenceRange> missing,
        long sinceNanos,
        Duration waited,
        int heldBehind,
        List<String> suggestedActions) {

    public CriticalAlert {
        Objects.requireNonNull(source, "source must not be null");
        missing = List.copyOf(missing);
        Objects.requireNonNull(waited, "waited must not be null");
        suggestedActions = List.copyOf(suggestedActions);
    }

    /** The next expected sequence of the source: the first missing one. */
    public long nextExpected() {
        return missing.isEmpty() ? -1 : missing.get(0).from();
    }

    /** One paragraph for a log line or a console: what is missing, for how long, and what to do. */
    public String describe() {
        return "source " + source + " halted: missing " + SequenceRange.summarize(missing) + " for "
                + waited.toMillis() + " ms, " + heldBehind
                + " messages held behind; " + String.join("; ", suggestedActions);
    }

    @Override
    public String toString() {
        return describe();
    }
}
