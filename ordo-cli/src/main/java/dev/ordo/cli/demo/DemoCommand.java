package dev.ordo.cli.demo;

import dev.ordo.cli.ExitCode;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ordo demo ...}: runnable scenarios that show what Ordo does and prove it with the checker. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Run a demonstration scenario.",
        subcommands = {
            LedgerDemoCommand.class,
            MigrateDemoCommand.class,
            SensorsDemoCommand.class,
            ChatDemoCommand.class
        })
public final class DemoCommand implements Callable<Integer> {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** {@code ordo demo} alone names no scenario: the usage on standard error, as for any incomplete command. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCode.ERROR;
    }
}
