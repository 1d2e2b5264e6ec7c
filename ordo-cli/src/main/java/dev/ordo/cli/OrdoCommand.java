package dev.ordo.cli;

import dev.ordo.cli.demo.DemoCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ordo} command line. */
@Command(name = "ordo",
        mixinStandardHelpOptions = true,
        version = "ordo 0.1.0",
        description = "Ordered message processing: resequencing, key-ordered execution, order checking.",
        subcommands = {DemoCommand.class, VerifyCommand.class, dev.ordo.cli.log.TopicsCommand.class,
            dev.ordo.cli.log.ProduceCommand.class, dev.ordo.cli.log.ConsumeCommand.class, CommandLine.HelpCommand.class})
public final class OrdoCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new OrdoCommand()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
