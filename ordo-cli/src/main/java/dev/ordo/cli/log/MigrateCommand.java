package dev.ordo.cli.log;

import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.migrate.TopicMigration;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ordo migrate TOPIC --data DIR --to-kafka HOST:PORT}: moves a topic of a data directory no process
 * holds to Kafka — copies it, seals it and moves its consumer groups' offsets. Cut short (even killed), it
 * resumes where it stopped when run again. A live topic, with its producers and consumers running, moves
 * with the Java API ({@link TopicMigration}) inside the application that holds the directory.
 */
@Command(
        name = "migrate",
        mixinStandardHelpOptions = true,
        description = {
            "Move a topic of the embedded engine to Kafka: copy it, seal it, move its groups' offsets.",
            "Run again after an interruption, it resumes. The data directory must not be held by a process."
        })
public final class MigrateCommand implements Callable<Integer> {

    @CommandLine.Mixin
    TopicsCommand.DataOption data = new TopicsCommand.DataOption();

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The embedded topic to move.")
    String topic;

    @Option(names = "--to-kafka", required = true, paramLabel = "HOST:PORT", description = "Kafka's bootstrap servers.")
    String bootstrap;

    @Option(
            names = "--target-topic",
            paramLabel = "NAME",
            description = "The Kafka topic to create and fill (default: the same name).")
    String target;

    @Option(
            names = "--partitions",
            paramLabel = "N",
            description = "The Kafka topic's partition count (default: the embedded topic's).")
    Integer partitions;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        try (EmbeddedLog log = EmbeddedLog.open(data.existing())) {
            TopicMigration.Builder builder =
                    TopicMigration.fromEmbedded(log, topic).toKafka(bootstrap);
            if (target != null) {
                builder.targetTopic(target);
            }
            if (partitions != null) {
                builder.partitions(partitions);
            }
            try (TopicMigration migration = builder.start()) {
                migration.awaitCopied(Duration.ofDays(1));
                TopicMigration.Fence fence = migration.switchOver();
                out.println("topic " + topic + " copied to Kafka topic " + (target == null ? topic : target) + " ("
                        + fence.targetEnds().size() + " partitions) and sealed; " + migration.copied()
                        + " records copied by this run; fence " + fence.sourceEnds() + " -> " + fence.targetEnds());
                Map<String, Map<Integer, Long>> moved = migration.moveGroups();
                moved.forEach((group, offsets) -> out.println("group " + group + " continues on Kafka at " + offsets));
                if (moved.isEmpty()) {
                    out.println("no group to move (none committed, or all have offsets on Kafka already)");
                }
            }
        }
        return 0;
    }
}
