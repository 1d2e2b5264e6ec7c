package dev.ordo.cli;

/**
 * The exit codes of every {@code ordo} command, listed in {@code ordo --help}: scripts can tell a
 * finding (1) from a failure to run (2) and from a run an operator must look at (3).
 */
public final class ExitCode {

    /** The command did what it was asked. */
    public static final int OK = 0;

    /** {@code verify} found anomalies in the history, a demo run ended FAILED, or {@code topics check} found damage. */
    public static final int CHECK_FAILED = 1;

    /** Bad input (an option, an argument, a file) or a runtime error: one line on standard error says which. */
    public static final int ERROR = 2;

    /** A demo run ended HALTED: strict ordering stopped it and it waits for an operator. */
    public static final int HALTED = 3;

    private ExitCode() {}
}
