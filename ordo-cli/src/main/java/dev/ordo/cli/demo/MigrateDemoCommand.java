package dev.ordo.cli.demo;

import picocli.CommandLine.Command;

/**
 * {@code ordo demo migrate}: the ledger demo while its topic moves from the embedded engine to Kafka and
 * is then re-partitioned 8 -> 3 on Kafka, with its producer sending and its group applying throughout.
 */
@Command(
        name = "migrate",
        mixinStandardHelpOptions = true,
        description = {
            "The bank ledger (see 'ordo demo ledger') while its topic moves, producer and group running:",
            "it starts on the embedded engine, moves to Kafka after a third of the operations and is",
            "re-partitioned 8 -> 3 on Kafka after two thirds (an in-JVM broker unless --bootstrap). Each move",
            "copies the backlog, switches the producer at a fence and hands the group over once it has applied",
            "the old tail. Ends with the checker's verdict and every balance verified (exit code 0: PASS)."
        })
public final class MigrateDemoCommand extends LedgerDemoCommand {

    @Override
    public Integer call() throws Exception {
        if (backendChoice != BackendChoice.engine) {
            throw new IllegalArgumentException(
                    "--backend is not an option here (the demo moves between engines itself), was " + backendChoice);
        }
        backendChoice = BackendChoice.migrate;
        return super.call();
    }
}
