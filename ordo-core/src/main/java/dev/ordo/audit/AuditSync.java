package dev.ordo.audit;

/**
 * When an {@link AuditTrail}'s entries reach the operating system and the disk: what a crash may take
 * from the end of the file. Whatever the choice, {@link AuditTrail#force()}, a checkpoint and
 * {@link AuditTrail#close()} write and force everything appended before them, and a crash never leaves
 * the chain broken, only shorter: reopening the trail cuts a torn last entry off.
 */
public enum AuditSync {

    /**
     * Entries collect in the trail's buffer (64 KiB) and are written when it is full: the fastest; a
     * process crash loses the buffered entries of records already handled (and maybe committed).
     */
    BUFFERED,

    /**
     * Each entry is written to the operating system before the audited handler returns (the default):
     * a process crash loses nothing; a machine crash or power loss may lose what was not forced yet.
     */
    WRITE,

    /** Each entry is forced to the disk before the audited handler returns: nothing is lost, at a sync per record. */
    FORCE
}
