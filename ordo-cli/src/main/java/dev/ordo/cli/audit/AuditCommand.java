package dev.ordo.cli.audit;

import dev.ordo.audit.AuditCheckpoint;
import dev.ordo.audit.AuditEntry;
import dev.ordo.audit.AuditVerification;
import dev.ordo.audit.AuditVerifier;
import dev.ordo.cli.ExitCode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ordo audit verify|show}: check and read the hash-chained audit files an {@code AuditTrail} writes. */
@Command(
        name = "audit",
        mixinStandardHelpOptions = true,
        description = "Verify and show audit files of handled records (hash-chained, see docs/audit.md).",
        subcommands = {AuditCommand.Verify.class, AuditCommand.Show.class})
public final class AuditCommand implements Callable<Integer> {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** {@code ordo audit} alone: the usage, on standard error, as for any other incomplete command. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCode.ERROR;
    }

    /** The audit file and the checkpoints to hold it against, shared by both commands. */
    static final class Input {
        @Parameters(index = "0", paramLabel = "FILE", description = "The audit file.")
        Path file;

        @Option(
                names = "--checkpoints",
                paramLabel = "FILE",
                description = "Checkpoints published elsewhere, one '<entries> <head in hex>' a line"
                        + " (default: the audit file's side file FILE.checkpoints, if any).")
        Path checkpoints;

        AuditVerification verify(Consumer<AuditEntry> visitor) throws IOException {
            readable(file, "FILE");
            List<AuditCheckpoint> published = checkpoints == null
                    ? AuditVerifier.sideCheckpoints(file)
                    : read(readable(checkpoints, "--checkpoints"));
            return AuditVerifier.verify(file, published, visitor);
        }

        private static List<AuditCheckpoint> read(Path file) throws IOException {
            List<AuditCheckpoint> read = new ArrayList<>();
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).isBlank()) {
                    try {
                        read.add(AuditCheckpoint.parse(lines.get(i)));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
                    }
                }
            }
            return read;
        }

        private static Path readable(Path file, String name) {
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new IllegalArgumentException(name + " must be a readable file, was " + file
                        + (Files.isDirectory(file)
                                ? " (a directory)"
                                : Files.exists(file) ? " (not readable)" : " (no such file)"));
            }
            return file;
        }
    }

    @Command(
            name = "verify",
            mixinStandardHelpOptions = true,
            description = {
                "Follows an audit file's hash chain and prints 'OK: <n> entries, head <hash>', or the first broken"
                        + " link: the entry and what is wrong there (TORN, MALFORMED, ALTERED, MISSING, OUT_OF_PLACE,"
                        + " UNLINKED, CHECKPOINT_MISMATCH, CUT_SHORT).",
                "Exit code 0 when the chain is intact, 1 when it is broken, 2 for a missing or unreadable file."
            })
    static final class Verify implements Callable<Integer> {

        @CommandLine.Mixin
        Input input;

        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            AuditVerification verdict = input.verify(entry -> {});
            PrintWriter out = spec.commandLine().getOut();
            out.println(verdict.summary());
            out.flush();
            return verdict instanceof AuditVerification.Intact ? ExitCode.OK : ExitCode.CHECK_FAILED;
        }
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = {
                "Prints an audit file's entries, one a line, oldest first, then the verdict of 'audit verify';"
                        + " entries after a broken link are not shown.",
                "Exit codes as 'audit verify'."
            })
    static final class Show implements Callable<Integer> {

        @CommandLine.Mixin
        Input input;

        @Option(names = "--limit", paramLabel = "N", description = "Show at most the first N entries (default: all).")
        long limit = Long.MAX_VALUE;

        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            if (limit < 0) {
                throw new IllegalArgumentException("--limit must be >= 0, was " + limit);
            }
            PrintWriter out = spec.commandLine().getOut();
            AuditVerification verdict = input.verify(entry -> {
                if (entry.index() < limit) {
                    out.println(entry);
                }
            });
            out.println(verdict.summary());
            out.flush();
            return verdict instanceof AuditVerification.Intact ? ExitCode.OK : ExitCode.CHECK_FAILED;
        }
    }
}
