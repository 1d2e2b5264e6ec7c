package dev.ordo.audit;

import dev.ordo.OrdoException;

/**
 * An {@link AuditTrail} could not do its work: a write or sync of its file failed (the trail then
 * refuses every later entry, so that no handled record goes unaudited unseen), or the file it was
 * asked to continue is broken before its last entry.
 */
public class AuditException extends OrdoException {

    public AuditException(String message) {
        super(message);
    }

    public AuditException(String message, Throwable cause) {
        super(message, cause);
    }
}
