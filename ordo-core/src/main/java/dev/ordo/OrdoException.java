package dev.ordo;

/**
 * Root of the exceptions Ordo throws for conditions that are not plain programming errors
 * (those are {@link IllegalArgumentException} and {@link IllegalStateException}).
 *
 * <p>Catch this type to handle every Ordo-specific failure in one place; the subclasses say what
 * happened (an overloaded buffer, a sequence gap declared fatal, ...).
 */
public class OrdoException extends RuntimeException {

    public OrdoException(String message) {
        super(message);
    }

    public OrdoException(String message, Throwable cause) {
        super(message, cause);
    }
}
