package dev.ordo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.cli.Cli.Run;
import dev.ordo.log.engine.EmbeddedLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** How {@code ordo} reports errors: one line on standard error, exit code 2, no usage block, no stack trace. */
class CommandLineErrorsTest {

    @TempDir
    Path data;

    /** Asserts the run failed with exit code 2 and said so in one line on standard error, and returns that line. */
    private static String oneErrorLine(Run run) {
        assertThat(run.exit()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCode.ERROR);
        assertThat(run.err().lines()).as("standard error").hasSize(1);
        assertThat(run.out()).as("standard output").isEmpty();
        return run.err().strip();
    }

    @Test
    void aDataDirectoryHeldByAnotherInstanceIsOneLineAndExitTwo() throws Exception {
        assertThat(Cli.run("", "topics", "create", "t", "--data", data.toString())
                        .exit())
                .isZero();
        try (EmbeddedLog held = EmbeddedLog.open(data)) {
            for (String[] args : List.of(
                    new String[] {"topics", "list", "--data", data.toString()},
                    new String[] {"consume", "t", "--data", data.toString()},
                    new String[] {"produce", "t", "--data", data.toString()})) {
                assertThat(oneErrorLine(Cli.run("x\n", args)))
                        .startsWith("ordo " + args[0])
                        .contains("is in use by another Ordo instance");
            }
        }
    }

    @Test
    void verifyOfADirectoryOrAMissingFileIsOneLineAndExitTwo() {
        assertThat(oneErrorLine(Cli.run("", "verify", data.toString())))
                .isEqualTo("ordo verify: HISTORY must be a readable file, was " + data
                        + " (a directory) (see 'ordo verify --help')");
        assertThat(oneErrorLine(Cli.run("", "verify", data.resolve("nope.jsonl").toString())))
                .contains("(no such file)");
    }

    @Test
    void ordoAloneShowsItsUsageOnStandardErrorAndExitsTwo() {
        for (String[] args : List.of(new String[0], new String[] {"topics"})) {
            Run run = Cli.run("", args);
            assertThat(run.exit()).isEqualTo(ExitCode.ERROR);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).startsWith("Usage: ordo").contains("Commands:");
        }
    }

    @Test
    void aCommandThatDoesNotExistIsAnErrorAlsoWithHelp() {
        assertThat(oneErrorLine(Cli.run("", "replicate", "--help")))
                .isEqualTo("ordo: 'replicate' is not a command; the commands are demo, verify, topics, produce,"
                        + " consume, migrate, serve, explain, audit, help (see 'ordo --help')");
        assertThat(oneErrorLine(Cli.run("", "topics", "replicate", "--help")))
                .startsWith("ordo topics: 'replicate' is not a command; the commands are create, list");
        assertThat(oneErrorLine(Cli.run("", "help", "replicate"))).contains("'replicate'");
    }

    @Test
    void verifyHelpShowsAnExampleLineOfTheHistoryFormat() {
        Run help = Cli.run("", "verify", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out())
                .contains("  {\"type\":\"sent\",\"key\":\"k1\",\"source\":\"s1\",\"sequence\":0,\"id\":\"s1-0\"}\n")
                .doesNotContain("HistoryLog");
    }

    @Test
    void everyCommandListShowsWholeSentences() {
        List<String> entries = new ArrayList<>();
        collectCommandListEntries(OrdoCommand.commandLine(), entries);
        assertThat(entries).hasSizeGreaterThan(10);
        assertThat(entries).allSatisfy(entry -> assertThat(entry).matches("\\S+ +[A-Z].*\\.$"));
    }

    /** The entries (continuation lines joined) of the command lists of {@code cli} and every command below it. */
    private static void collectCommandListEntries(CommandLine cli, List<String> entries) {
        List<String> lines = cli.getUsageMessage().lines().toList();
        int start = lines.indexOf("Commands:");
        if (start >= 0) {
            for (int i = start + 1; i < lines.size() && !lines.get(i).isBlank(); i++) {
                String line = lines.get(i);
                if (line.startsWith("   ")) { // a continuation of the entry above
                    int last = entries.size() - 1;
                    entries.set(last, entries.get(last) + " " + line.strip());
                } else {
                    entries.add(line.strip());
                }
            }
        }
        cli.getSubcommands().values().stream().distinct().forEach(sub -> collectCommandListEntries(sub, entries));
    }

    @Test
    void readOnlyCommandsRefuseADataDirectoryThatDoesNotExistAndCreateNone() {
        Path missing = data.resolve("typo");
        for (String[] args : List.of(
                new String[] {"topics", "list"},
                new String[] {"topics", "describe", "t"},
                new String[] {"consume", "t"},
                new String[] {"consume", "t", "--group", "g"})) {
            List<String> withData = new ArrayList<>(List.of(args));
            withData.addAll(List.of("--data", missing.toString()));
            assertThat(oneErrorLine(Cli.run("", withData.toArray(String[]::new))))
                    .endsWith("--data must be an existing data directory, was " + missing
                            + " (no such directory; 'ordo topics create' makes one)");
            assertThat(missing).doesNotExist();
        }
    }

    @Test
    void aNegativeOffsetIsRefused() {
        assertThat(oneErrorLine(Cli.run("", "consume", "t", "--offset", "-1", "--data", data.toString())))
                .isEqualTo("ordo consume: --offset must be >= 0, was -1 (see 'ordo consume --help')");
    }

    @Test
    void orderingWithoutAGroupIsRefused() {
        assertThat(oneErrorLine(Cli.run("", "consume", "t", "--ordering", "key", "--data", data.toString())))
                .startsWith("ordo consume: --ordering needs --group");
    }

    @Test
    void consumeHelpSaysInWhatOrderAGroupPrints() {
        String help = Cli.run("", "consume", "--help").out().replaceAll("\\s+", " ");
        assertThat(help)
                .contains("Without --group: partition after partition, each in offset order")
                .contains("lines come in offset order per key (--ordering KEY, the default) or per partition"
                        + " (PARTITION), with different keys or partitions interleaved, or in no particular order"
                        + " (UNORDERED)");
    }

    @CommandLine.Command(name = "boom", description = "Fails as a bug would.")
    static final class Boom implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new NullPointerException("nothing here");
        }
    }

    @Test
    void aBugIsOneLineUnlessDebugAsksForItsStackTrace() {
        CommandLine cli = OrdoCommand.commandLine().addSubcommand(new Boom());
        assertThat(oneErrorLine(Cli.run(cli, "", "boom")))
                .isEqualTo("ordo boom: internal error, java.lang.NullPointerException: nothing here;"
                        + " --debug prints its stack trace");
        Run debug = Cli.run(OrdoCommand.commandLine().addSubcommand(new Boom()), "", "boom", "--debug");
        assertThat(debug.exit()).isEqualTo(ExitCode.ERROR);
        assertThat(debug.err()).contains("\tat dev.ordo.cli.CommandLineErrorsTest$Boom.call");
    }

    @Test
    void theExitCodesAreListedInTheHelp() {
        assertThat(Cli.run("", "--help").out().replaceAll("\\s+", " "))
                .contains("Exit codes: 0 Success. 1 'verify' found anomalies")
                .contains("2 Bad input or a runtime error")
                .contains("3 A demo run ended HALTED");
    }

    @Test
    void aRuntimeErrorOfTheFileSystemIsNamedInWords() throws Exception {
        Path file = Files.writeString(data.resolve("plain-file"), "x");
        Path under = file.resolve("data");
        assertThat(oneErrorLine(Cli.run("", "topics", "create", "t", "--data", under.toString())))
                .startsWith("ordo topics create: ")
                .contains(under.toString())
                .doesNotContain("Exception");
    }
}
