package dev.ordo;

/**
 * Thrown when a bounded buffer or budget is full and the caller chose to be told rather than wait.
 *
 * <p>Nothing was accepted when this is thrown: the caller still owns the message and may retry,
 * slow down or shed load.
 */
public class OverloadedException extends OrdoException {

    public OverloadedException(String message) {
        super(message);
    }
}
