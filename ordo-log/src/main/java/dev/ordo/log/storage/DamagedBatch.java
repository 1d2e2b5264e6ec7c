package dev.ordo.log.storage;

/**
 * A read met a damaged batch before any batch it could return (the batches before the damage are
 * returned by a read that meets it later on). {@code firstOffset} is the offset after the last batch
 * the read checked, -1 if the damaged batch is where the read started. Apart from {@link LogSegment},
 * which throws it, because {@link ReadPlan} turns it into the {@link CorruptLogException} a caller
 * sees, with the segment's file and offsets.
 */
final class DamagedBatch extends CorruptRecordException {
    final long position;
    final long firstOffset;

    DamagedBatch(long position, long firstOffset, String reason) {
        super(reason);
        this.position = position;
        this.firstOffset = firstOffset;
    }
}
