package dev.ordo.log.storage;

/**
 * What opening a partition does when a <em>sealed</em> segment (flushed when it was rolled, so not a
 * torn write) is damaged. A torn or corrupt tail of the active segment is always cut and logged.
 */
public enum CorruptionPolicy {
    /**
     * Refuse to open: {@link CorruptLogException} names the file and the byte position. Nothing is
     * lost that could still be saved by hand (the default).
     */
    STOP,
    /**
     * Keep every record before the damage, cut the segment there and go on with the next segment,
     * logging at ERROR the file, the position, the bytes cut and the offsets lost. Readers skip the
     * lost offsets. For logs where availability matters more than the damaged records.
     */
    SKIP
}
