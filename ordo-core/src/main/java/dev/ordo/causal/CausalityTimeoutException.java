package dev.ordo.causal;

import dev.ordo.OrdoException;

/** A message waited longer than allowed for messages it causally depends on; it names what is missing. */
public class CausalityTimeoutException extends OrdoException {

    public CausalityTimeoutException(String message) {
        super(message);
    }
}
