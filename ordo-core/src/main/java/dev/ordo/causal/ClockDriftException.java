package dev.ordo.causal;

import dev.ordo.OrdoException;

/**
 * A remote hybrid timestamp lies further in the future than the allowed drift: accepting it would
 * drag this node's clock forward by that much, so it is refused.
 */
public class ClockDriftException extends OrdoException {

    public ClockDriftException(String message) {
        super(message);
    }
}
