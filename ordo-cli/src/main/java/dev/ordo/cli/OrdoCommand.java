package dev.ordo.cli;

import dev.ordo.cli.audit.AuditCommand;
import dev.ordo.cli.demo.DemoCommand;
import dev.ordo.cli.log.ConsumeCommand;
import dev.ordo.cli.log.MigrateCommand;
import dev.ordo.cli.log.ProduceCommand;
import dev.ordo.cli.log.TopicsCommand;
import dev.ordo.cli.serve.ExplainCommand;
import dev.ordo.cli.serve.ServeCommand;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/** The {@code ordo} command line. */
@Command(
        name = "ordo",
        mixinStandardHelpOptions = true,
        version = "ordo 0.1.0",
        description = "Ordered message processing: resequencing, key-ordered execution, order checking.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:Success.",
            "1:'verify' found anomalies, 'topics check' found damage, 'audit verify' a broken chain, or a demo run"
                    + " ended FAILED.",
            "2:Bad input or a runtime error, said in one line on standard error.",
            "3:A demo run ended HALTED and waits for an operator."
        },
        subcommands = {
            DemoCommand.class,
            VerifyCommand.class,
            TopicsCommand.class,
            ProduceCommand.class,
            ConsumeCommand.class,
            MigrateCommand.class,
            ServeCommand.class,
            ExplainCommand.class,
            AuditCommand.class,
            CommandLine.HelpCommand.class
        })
public final class OrdoCommand implements Callable<Integer> {

    @Option(
            names = "--debug",
            scope = CommandLine.ScopeType.INHERIT,
            description = "On an error, print its stack trace too (so does the environment variable "
                    + ErrorReporter.DEBUG_VARIABLE + "=1).")
    boolean debug;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with Ordo's error handling ({@link ErrorReporter}): every error, bad input or
     * failure, is one line on standard error and exit code {@link ExitCode#ERROR}. Commands
     * therefore just let exceptions through; the library's messages name what is wrong.
     */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new OrdoCommand());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        ErrorReporter errors = new ErrorReporter(ErrorReporter.debugFromEnvironment());
        cli.setParameterExceptionHandler(errors);
        cli.setExecutionExceptionHandler(errors);
        cli.setExecutionStrategy(OrdoCommand::execute);
        listFirstSentences(cli);
        return cli;
    }

    /**
     * Runs the command the arguments name, unless a word was left over: picocli lets {@code ordo
     * replicate --help} through as a request for {@code ordo}'s help, which hid that there is no such command.
     */
    private static int execute(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (!p.unmatched().isEmpty()) {
                throw new CommandLine.UnmatchedArgumentException(p.commandSpec().commandLine(), p.unmatched());
            }
        }
        return new CommandLine.RunLast().execute(parsed);
    }

    /** Makes every command list show the first sentence of each command's description, never a cut line. */
    private static void listFirstSentences(CommandLine command) {
        command.getHelpSectionMap()
                .put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST, OrdoCommand::commandList);
        for (CommandLine sub : command.getSubcommands().values()) {
            listFirstSentences(sub);
        }
    }

    /** The command list of {@code help}: each command's name and the first sentence of its header or description. */
    private static String commandList(Help help) {
        Map<String, Help> commands = help.subcommands();
        if (commands.isEmpty()) {
            return "";
        }
        int nameWidth = 0;
        for (Help command : commands.values()) {
            nameWidth = Math.max(nameWidth, command.commandNamesText(", ").getCJKAdjustedLength());
        }
        Help.TextTable table = Help.TextTable.forColumns(
                help.colorScheme(),
                new Help.Column(nameWidth + 2, 2, Help.Column.Overflow.SPAN),
                new Help.Column(
                        help.commandSpec().usageMessage().width() - (nameWidth + 2), 2, Help.Column.Overflow.WRAP));
        for (Help command : commands.values()) {
            CommandLine.Model.UsageMessageSpec usage = command.commandSpec().usageMessage();
            String[] summary = usage.header().length > 0 ? usage.header() : usage.description();
            table.addRowValues(
                    command.commandNamesText(", "), help.colorScheme().text(firstSentence(summary)));
        }
        return table.toString();
    }

    /** The first sentence of a header or description (up to the first period followed by a space, or all of it). */
    static String firstSentence(String[] lines) {
        String text = String.join(" ", lines).replace("%n", " ").strip();
        int end = text.indexOf(". ");
        return end < 0 ? text : text.substring(0, end + 1);
    }

    /** {@code ordo} alone: the usage, on standard error, as for any other incomplete command. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCode.ERROR;
    }
}
