package dev.ordo.cli;

import dev.ordo.check.CheckReport;
import dev.ordo.check.HistoryLog;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ordo verify HISTORY}: the ordering checker's verdict on a recorded history. */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = {
            "Checks a recorded history of sends and receipts and prints each class of anomaly found, with its"
                    + " severity, count and first example.",
            "LOST, REORDERED, UNEXPECTED are critical; DUPLICATED, GAP, PARTITION_MISMATCH warnings;"
                    + " TIMESTAMP_ANOMALY information. Each problem counts once: a lost message is LOST, a late one"
                    + " REORDERED, neither also a GAP; a GAP is a run of a source's sequence numbers that no send and"
                    + " no receipt carries.",
            "The history has one JSON object per line, in the order things happened (type sent|received|topic,"
                    + " key, source, id; optional sequence, partition, timestamp, at), e.g.:",
            "  {\"type\":\"sent\",\"key\":\"k1\",\"source\":\"s1\",\"sequence\":0,\"id\":\"s1-0\"}",
            "  {\"type\":\"received\",\"key\":\"k1\",\"source\":\"s1\",\"sequence\":0,\"id\":\"s1-0\"}",
            "Exit code 0 when the history is clean, 1 when anomalies are found, 2 for unreadable input."
        })
public final class VerifyCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "HISTORY", description = "The history file (JSON lines).")
    Path history;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(history) || !Files.isReadable(history)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "HISTORY must be a readable file, was " + history
                            + (Files.isDirectory(history)
                                    ? " (a directory)"
                                    : Files.exists(history) ? " (not readable)" : " (no such file)"));
        }
        CheckReport report;
        try {
            report = HistoryLog.read(history).check();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), history + ": " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(json ? report.toJson() : report.summary());
        out.flush();
        return report.isClean() ? ExitCode.OK : ExitCode.CHECK_FAILED;
    }
}
