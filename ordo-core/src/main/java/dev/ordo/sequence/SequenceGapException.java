package dev.ordo.sequence;

import dev.ordo.OrdoException;

/**
 * A gap declared fatal by {@link GapPolicy#failAfter}: the sequence numbers
 * {@code [fromSequence, toSequence]} of {@code source} never arrived in time.
 */
public class SequenceGapException extends OrdoException {

    private final transient Object source;
    private final long fromSequence;
    private final long toSequence;

    public SequenceGapException(Object source, long fromSequence, long toSequence, String detail) {
        super("source " + source + " is missing sequence numbers [" + fromSequence + ", " + toSequence + "]: "
                + detail);
        this.source = source;
        this.fromSequence = fromSequence;
        this.toSequence = toSequence;
    }

    public Object source() {
        return source;
    }

    public long fromSequence() {
        return fromSequence;
    }

    public long toSequence() {
        return toSequence;
    }
}
