package dev.ordo.cli;

import dev.ordo.cli.demo.DemoCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ordo} command line. */
@Command(
        name = "ordo",
        mixinStandardHelpOptions = true,
        version = "ordo 0.1.0",
        description = "Ordered message processing: resequencing, key-ordered execution, order checking.",
        subcommands = {
            DemoCommand.class,
            VerifyCommand.class,
            dev.ordo.cli.log.TopicsCommand.class,
            dev.ordo.cli.log.ProduceCommand.class,
            dev.ordo.cli.log.ConsumeCommand.class,
            CommandLine.HelpCommand.class
        })
public final class OrdoCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with Ordo's error handling: bad input reported by the library
     * ({@link IllegalArgumentException}, whose message names the parameter and value) is a usage
     * error, shown with the usage and exit code 2, like a bad option. Commands therefore just let
     * such exceptions through.
     */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new OrdoCommand());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((error, command, parseResult) -> {
            if (error instanceof IllegalArgumentException) {
                command.getErr().println(error.getMessage());
                command.usage(command.getErr());
                return command.getCommandSpec().exitCodeOnInvalidInput();
            }
            throw error;
        });
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
