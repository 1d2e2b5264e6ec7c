package dev.ordo.cli;

import dev.ordo.OrdoException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How every {@code ordo} command reports an error: one line on standard error, {@code ordo <command>:
 * <what is wrong>}, and {@link ExitCode#ERROR}; never the usage block, never a stack trace unless
 * asked for ({@code --debug} or the environment variable {@code ORDO_DEBUG}). A bad option or
 * argument ends with a pointer to the command's help. Errors the library reports on purpose (bad
 * input as {@link IllegalArgumentException}, whose message names the parameter and the value; I/O;
 * {@link OrdoException}; {@link IllegalStateException}) are shown by their message; anything else
 * is a bug and says so.
 */
final class ErrorReporter implements CommandLine.IParameterExceptionHandler, CommandLine.IExecutionExceptionHandler {

    /** The environment variable that, set to anything but {@code 0} or {@code false}, prints stack traces. */
    static final String DEBUG_VARIABLE = "ORDO_DEBUG";

    private final boolean debugFromEnvironment;

    ErrorReporter(boolean debugFromEnvironment) {
        this.debugFromEnvironment = debugFromEnvironment;
    }

    /** Whether the environment asks for stack traces. */
    static boolean debugFromEnvironment() {
        String value = System.getenv(DEBUG_VARIABLE);
        return value != null && !value.isBlank() && !value.equals("0") && !value.equalsIgnoreCase("false");
    }

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        err.println(name(command) + ": " + parseMessage(e) + " (see '" + name(command) + " --help')");
        err.flush();
        return ExitCode.ERROR;
    }

    /** Picocli's message, except for a word that is not one of the command's subcommands. */
    private static String parseMessage(ParameterException e) {
        CommandLine command = e.getCommandLine();
        if (e instanceof UnmatchedArgumentException unmatched
                && !command.getSubcommands().isEmpty()) {
            List<String> words = unmatched.getUnmatched();
            if (!words.isEmpty() && !words.get(0).startsWith("-")) {
                return "'" + words.get(0) + "' is not a command; the commands are "
                        + String.join(", ", command.getSubcommands().keySet());
            }
        }
        return e.getMessage();
    }

    @Override
    public int handleExecutionException(Exception thrown, CommandLine command, ParseResult parsed) {
        Throwable e = unwrap(thrown);
        PrintWriter err = command.getErr();
        boolean debug = debugFromEnvironment || debugOption(parsed);
        if (expected(e)) {
            err.println(name(command) + ": " + describe(e));
        } else {
            err.println(name(command) + ": internal error, " + e + (debug ? "" : "; --debug prints its stack trace"));
        }
        if (debug) {
            e.printStackTrace(err);
        }
        err.flush();
        return ExitCode.ERROR;
    }

    /** True for the failures the library and the commands report on purpose, with a message meant for a person. */
    private static boolean expected(Throwable e) {
        return e instanceof IllegalArgumentException
                || e instanceof IOException
                || e instanceof UncheckedIOException
                || e instanceof OrdoException
                || e instanceof IllegalStateException;
    }

    /** The failure a wrapper (a future's, a task's) stands for. */
    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * One line saying what went wrong: the JDK names a missing file by its path alone ({@code
     * NoSuchFileException: data/t-0}), which is no sentence.
     */
    static String describe(Throwable e) {
        if (e instanceof UncheckedIOException unchecked) {
            return describe(unchecked.getCause());
        }
        if (e instanceof NoSuchFileException f) {
            return "no such file or directory: " + f.getFile();
        }
        if (e instanceof AccessDeniedException f) {
            return "permission denied: " + f.getFile();
        }
        if (e instanceof FileAlreadyExistsException f) {
            return "a file is in the way: " + f.getFile();
        }
        if (e instanceof NotDirectoryException f) {
            return "not a directory: " + f.getFile();
        }
        if (e instanceof DirectoryNotEmptyException f) {
            return "directory not empty: " + f.getFile();
        }
        if (e instanceof FileSystemException f && f.getReason() == null) {
            return e.getClass().getSimpleName() + ": " + f.getFile();
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /** Whether {@code --debug} was given to the command or any command above it. */
    private static boolean debugOption(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
    }

    /** {@code ordo topics create}: the command as the user typed it. */
    private static String name(CommandLine command) {
        return command.getCommandSpec().qualifiedName();
    }
}
