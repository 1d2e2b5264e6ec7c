package dev.ordo.audit;

/**
 * When an {@link AuditTrail}'s entries reach the file and the disk: what a crash may take from the end
 * of the file. Whatever the choice, {@link AuditTrail#force()}, a checkpoint and {@link AuditTrail#close()}
 * force everything appended before them, and a crash never leaves the chain broken, only shorter:
 * reopening the trail cuts a torn last entry off.
 */
public enum AuditSync {

    /**
     * Entries collect in a 64 KiB buffer in the process, written when it is full (about 400 entries) and
     * at every force: the cheapest; a process crash loses the buffered entries, of records that may be
     * handled and committed already. Force at least as often as the consumer commits to bound that.
     */
    BUFFERED,

    /**
     * Each entry is in the operating system's page cache before the audited handler returns, so a process
     * crash loses nothing (the default): it is copied into the file's tail, {@code <file>.tail}, a 1 MiB
     * circle mapped into memory, and written to the file itself with the others 64 KiB at a time. After a
     * crash the verifier reads the entries the file lacks from the tail, and reopening the trail appends
     * them to the file. The kernel writes both files back when it will, so a machine crash or power loss
     * may lose what was not forced yet (on Linux typically the last 30 s at most).
     */
    WRITE,

    /** Each entry is forced to the disk before the audited handler returns: nothing is lost, at a sync per record. */
    FORCE
}
