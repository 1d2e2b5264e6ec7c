package dev.ordo.log.storage;

import dev.ordo.OrdoException;

/** A producer with an older epoch tried to write after a newer instance of it registered: a zombie. */
public class ProducerFencedException extends OrdoException {

    public ProducerFencedException(String message) {
        super(message);
    }
}
