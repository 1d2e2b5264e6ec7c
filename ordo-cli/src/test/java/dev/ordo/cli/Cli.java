package dev.ordo.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Runs {@code ordo} in this JVM, as a shell would: standard input given, output, error and exit code kept. */
public final class Cli {

    /** What a run printed and returned. */
    public record Run(int exit, String out, String err) {}

    private Cli() {}

    /** Runs {@code ordo args} with {@code stdin} as standard input. */
    public static Run run(String stdin, String... args) {
        return run(OrdoCommand.commandLine(), stdin, args);
    }

    /** Runs {@code args} on {@code cli} (a command line made by {@link OrdoCommand#commandLine()}). */
    public static synchronized Run run(CommandLine cli, String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        InputStream previous = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            int exit = cli.setOut(new PrintWriter(out))
                    .setErr(new PrintWriter(err))
                    .execute(args);
            return new Run(exit, out.toString(), err.toString());
        } finally {
            System.setIn(previous);
        }
    }
}
