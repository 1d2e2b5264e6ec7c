package dev.ordo.log.storage;

import dev.ordo.OrdoException;

/** An idempotent producer skipped sequence numbers: an earlier batch never arrived. Nothing was written. */
public class OutOfOrderSequenceException extends OrdoException {

    public OutOfOrderSequenceException(String message) {
        super(message);
    }
}
