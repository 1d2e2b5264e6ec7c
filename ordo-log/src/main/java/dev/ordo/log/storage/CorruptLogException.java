package dev.ordo.log.storage;

import dev.ordo.OrdoException;
import java.nio.file.Path;

/**
 * A record batch of a partition is damaged where it cannot be a torn write: in a sealed segment the
 * open scanned (the log refuses to open under {@link CorruptionPolicy#STOP}), or in any segment a read
 * met (the read before returned every record up to the damage). The message names the topic and
 * partition, the segment file, the byte position and the offsets that cannot be read, and the way out;
 * {@link #damage()} holds them.
 */
public class CorruptLogException extends OrdoException {

    private final SegmentDamage damage;

    public CorruptLogException(String message, SegmentDamage damage) {
        super(message);
        this.damage = damage;
    }

    /** The open of a log met damage in a sealed segment and, under {@link CorruptionPolicy#STOP}, refuses. */
    static CorruptLogException refusingToOpen(SegmentDamage damage) {
        return new CorruptLogException(
                damage.describe() + "; refusing to open (the topic's corruption policy is STOP). " + damage.wayOut(),
                damage);
    }

    /** A read met damage before it had any record to return. */
    static CorruptLogException onRead(SegmentDamage damage) {
        return new CorruptLogException(
                damage.describe() + "; " + damage.lostOffsets() + " cannot be read (every record before them can). "
                        + damage.wayOut(),
                damage);
    }

    /** Where the damage is and which offsets it takes. */
    public SegmentDamage damage() {
        return damage;
    }

    public Path file() {
        return damage.segment();
    }

    public long position() {
        return damage.position();
    }
}
