package dev.ordo.audit;

/**
 * What became of one handling of a record, as its {@link AuditEntry} says: the handler returned, it
 * threw (the entry names the exception's class; a retried record has one entry per attempt), or the
 * application gave up on the record ({@link AuditTrail#skipped}).
 */
public enum AuditOutcome {
    HANDLED,
    FAILED,
    SKIPPED;

    /** The byte that stands for this outcome in the file. */
    byte code() {
        return (byte) ordinal();
    }

    /** The outcome {@code code} stands for, or null if it stands for none. */
    static AuditOutcome of(byte code) {
        AuditOutcome[] all = values();
        return code >= 0 && code < all.length ? all[code] : null;
    }
}
