package dev.ordo.sequence;

import java.time.Duration;
import java.util.Objects;

/**
 * A run of missing sequence numbers of one source while later messages of that source wait behind
 * it, as {@link Resequencer#gaps()} and {@link Resequencer#oldestGap()} report it: enough for a
 * status line such as {@code no progress: source teller-3 missing [812, 815] for 2300 ms, 41
 * messages held behind}.
 *
 * @param source the source whose messages are missing
 * @param from the first missing sequence number
 * @param to the last missing sequence number
 * @param sinceNanos the ticker reading when the gap was first seen (a message beyond it arrived or
 *        was refused); only differences between ticker readings mean anything
 * @param age how long the gap has been open, by the resequencer's ticker
 * @param heldBehind messages of the source buffered beyond the gap, released once it is filled
 * @param <S> the source id type
 */
public record Gap<S>(S source, long from, long to, long sinceNanos, Duration age, int heldBehind) {

    public Gap {
        Objects.requireNonNull(source, "source must not be null");
        Objects.requireNonNull(age, "age must not be null");
    }

    /** The missing sequence numbers. */
    public SequenceRange missing() {
        return new SequenceRange(from, to);
    }

    /** {@code source a missing [3, 4] for 1500 ms, 12 messages held behind}. */
    @Override
    public String toString() {
        return "source " + source + " missing " + missing() + " for " + age.toMillis() + " ms, " + heldBehind
                + " messages held behind";
    }
}
