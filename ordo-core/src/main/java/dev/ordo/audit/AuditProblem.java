package dev.ordo.audit;

/**
 * What is wrong at the first broken link of an audit chain ({@link AuditVerification.Broken}).
 * Removing, inserting, moving or changing entries each shows as one of these at the first entry
 * concerned; cutting entries off the end shows only against a checkpoint ({@link #CUT_SHORT}).
 */
public enum AuditProblem {

    /** The file ends inside the entry: a write a crash interrupted. Reopening the trail cuts it off. */
    TORN,

    /** The entry's length or fields cannot be read: damage, or bytes that were never an entry. */
    MALFORMED,

    /** The entry's bytes do not hash to the hash stored with it: it was changed after it was written. */
    ALTERED,

    /** A later entry stands where this one belongs: entries were removed here, or moved away. */
    MISSING,

    /** An earlier entry stands here again: an entry was inserted (a copy) or moved here. */
    OUT_OF_PLACE,

    /**
     * The entry is intact but does not carry the previous entry's hash: it was inserted or replaced with
     * a recomputed hash, or the previous entry was.
     */
    UNLINKED,

    /** The chain's head after a checkpoint's number of entries is not the head the checkpoint recorded. */
    CHECKPOINT_MISMATCH,

    /** The file ends before a checkpoint's number of entries: entries were removed from its end. */
    CUT_SHORT
}
