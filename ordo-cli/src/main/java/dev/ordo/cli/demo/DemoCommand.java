package dev.ordo.cli.demo;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ordo demo ...}: runnable scenarios that show what Ordo does and prove it with the checker. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Run a demonstration scenario.",
        subcommands = {LedgerDemoCommand.class, SensorsDemoCommand.class, ChatDemoCommand.class})
public final class DemoCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
