package dev.ordo.log.storage;

import dev.ordo.OrdoException;

/** Bytes that do not decode as a valid record batch (bad length, CRC, magic or contents). */
public class CorruptRecordException extends OrdoException {

    public CorruptRecordException(String message) {
        super(message);
    }
}
