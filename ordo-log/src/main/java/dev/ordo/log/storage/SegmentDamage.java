package dev.ordo.log.storage;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A damaged record batch in a segment (incomplete, failing its CRC, or not continuing the offsets),
 * found by a read, by an open or by {@link PartitionCheck}: where it is, why, and which offsets a
 * repair loses, which cuts the segment there as {@link CorruptionPolicy#SKIP} does on open.
 *
 * @param segment the segment's log file, in its partition directory
 * @param position the byte position of the damaged batch in the file
 * @param reason what is wrong with the batch
 * @param firstOffset the first offset that cannot be read: every record before it in the segment can
 * @param endOffset the offset after the last one a repair loses: the next segment's base offset, the
 *     partition's end offset for the last segment, or -1 where that is not known (a check of the last
 *     segment, whose damaged bytes say nothing reliable)
 */
public record SegmentDamage(Path segment, long position, String reason, long firstOffset, long endOffset) {

    public SegmentDamage {
        Objects.requireNonNull(segment, "segment must not be null");
        Objects.requireNonNull(reason, "reason must not be null");
    }

    /** The partition, if the segment's directory is named as a data directory names it. */
    public Optional<TopicPartition> partition() {
        return TopicPartition.ofDirectory(segment.toAbsolutePath().getParent());
    }

    /** {@code offsets 1200-2999}, or {@code offsets from 1200 on} when the end is not known. */
    public String lostOffsets() {
        if (endOffset < 0) {
            return "offsets from " + firstOffset + " on";
        }
        return endOffset - firstOffset == 1
                ? "offset " + firstOffset
                : "offsets " + firstOffset + "-" + (endOffset - 1);
    }

    /** Where the damage is and what it is, naming the topic and partition when it can. */
    public String describe() {
        String where = partition().map(p -> p + ": ").orElse("");
        return where + "segment " + segment + " is damaged at byte " + position + " (" + reason + ")";
    }

    /** How to get past the damage: a repair, or the file from a copy. */
    public String wayOut() {
        Path dir = segment.toAbsolutePath().getParent();
        String repair = partition()
                .map(p -> "'ordo topics repair " + p.topic() + " --data " + dir.getParent()
                        + "' (EmbeddedLog.repairTopic)")
                .orElse("PartitionCheck.repair(" + dir + ")");
        return repair + " cuts the segment there, losing " + lostOffsets()
                + ", as --on-corruption skip does on open; or restore the segment from a copy";
    }

    @Override
    public String toString() {
        return describe() + "; a repair loses " + lostOffsets();
    }
}
