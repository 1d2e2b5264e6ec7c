package dev.ordo;

/**
 * A blocking Ordo call (a send waiting for buffer space, a submit waiting for budget, an offer waiting
 * for room) was interrupted while it waited. Nothing was accepted. The thread's interrupt flag is set
 * again before this is thrown, so code further up still sees the interrupt, as it would after catching
 * {@link InterruptedException} and restoring it.
 */
public class OrdoInterruptedException extends OrdoException {

    public OrdoInterruptedException(String message, InterruptedException cause) {
        super(message, cause);
    }
}
