package dev.ordo.causal;

import dev.ordo.OrdoException;

/** A message waited longer than allowed for dependencies that never arrived; it names them. */
public class MissingDependencyException extends OrdoException {

    public MissingDependencyException(String message) {
        super(message);
    }
}
