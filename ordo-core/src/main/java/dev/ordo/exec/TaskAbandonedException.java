package dev.ordo.exec;

import dev.ordo.OrdoException;

/**
 * A task that will not run: its key was parked when the executor closed, or its owner gave the key's
 * parked task up ({@link KeyOrderedExecutor#abandon}). It neither succeeded nor was skipped; whoever
 * submitted it still owns it (a consumer leaves its offset uncommitted, so it is read again).
 */
public class TaskAbandonedException extends OrdoException {

    public TaskAbandonedException(String message) {
        super(message);
    }
}
