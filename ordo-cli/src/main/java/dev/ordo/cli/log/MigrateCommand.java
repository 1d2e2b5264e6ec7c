package dev.ordo.cli.log;

import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.migrate.TopicMigration;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ordo migrate TOPIC --data DIR --to-kafka HOST:PORT}: moves a topic of a data directory no process
 * holds to Kafka — copies it, seals it and moves its consumer groups' offsets. {@code ordo migrate TOPIC
 * --from-kafka HOST:PORT --target-topic T --partitions N} re-partitions a Kafka topic (shrinking included)
 * the same way, its groups moving to the new topic; {@code ordo migrate TOPIC --from-kafka HOST:PORT
 * --to-data DIR} brings a Kafka topic and its groups' positions into a data directory, to debug it on one
 * machine. Cut short (even killed), it resumes where it stopped when run again. A live topic, with its producers and consumers running, moves
 * with the Java API ({@link TopicMigration}) inside the application that holds the directory.
 */
@Command(
        name = "migrate",
        mixinStandardHelpOptions = true,
        description = {
            "Move a topic of the embedded engine to Kafka: copy it, seal it, move its groups' offsets.",
            "Or re-partition a Kafka topic: --from-kafka HOST:PORT --target-topic T --partitions N.",
            "Or bring a Kafka topic into the embedded engine: --from-kafka HOST:PORT --to-data DIR.",
            "Run again after an interruption, it resumes. The data directory must not be held by a process."
        })
public final class MigrateCommand implements Callable<Integer> {

    @CommandLine.ArgGroup(multiplicity = "1")
    Source source;

    /** Where the topic is: an embedded engine's data directory, or a Kafka cluster (to re-partition it). */
    static final class Source {
        @Option(names = "--data", paramLabel = "DIR", required = true, description = "The engine's data directory.")
        Path data;

        @Option(
                names = "--from-kafka",
                paramLabel = "HOST:PORT",
                required = true,
                description =
                        "Move a Kafka topic of this cluster: into --target-topic with --partitions, or to --to-data.")
        String kafka;
    }

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic to move.")
    String topic;

    @Option(
            names = "--to-kafka",
            paramLabel = "HOST:PORT",
            description = "Kafka's bootstrap servers (required with --data; with --from-kafka, the same cluster).")
    String bootstrap;

    @Option(
            names = "--to-data",
            paramLabel = "DIR",
            description = "With --from-kafka: the data directory of the embedded engine to move the topic to"
                    + " (made if missing; no process may hold it).")
    Path toData;

    @Option(
            names = "--target-topic",
            paramLabel = "NAME",
            description = "The topic to create and fill (default: the same name).")
    String target;

    @Option(
            names = "--partitions",
            paramLabel = "N",
            description = "The target topic's partition count (default: the source topic's).")
    Integer partitions;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (source.kafka != null && toData != null) {
            return bringBack();
        }
        if (toData != null) {
            throw new IllegalArgumentException(
                    "--to-data goes with --from-kafka: a topic of --data moves to Kafka (--to-kafka)");
        }
        if (source.kafka != null) {
            return repartition();
        }
        if (bootstrap == null) {
            throw new IllegalArgumentException("--to-kafka is required with --data: the cluster to move the topic to");
        }
        if (!Files.isDirectory(source.data)) {
            throw new IllegalArgumentException("--data must be an existing data directory, was " + source.data);
        }
        try (EmbeddedLog log = EmbeddedLog.open(source.data)) {
            return move(TopicMigration.fromEmbedded(log, topic).toKafka(bootstrap), "Kafka topic", "sealed", "Kafka");
        }
    }

    /** A Kafka topic into a data directory's embedded engine. */
    private int bringBack() throws IOException, InterruptedException {
        if (bootstrap != null) {
            throw new IllegalArgumentException("--to-kafka and --to-data exclude each other: the topic moves to one");
        }
        Files.createDirectories(toData);
        try (EmbeddedLog log = EmbeddedLog.open(toData)) {
            return move(
                    TopicMigration.fromKafka(source.kafka, topic).toEmbedded(log),
                    "embedded topic",
                    "fenced (stop its other producers first)",
                    "the embedded engine");
        }
    }

    /** A Kafka topic into a new one of another partition count, on the same cluster. */
    private int repartition() throws IOException, InterruptedException {
        if (target == null || partitions == null) {
            throw new IllegalArgumentException(
                    "--from-kafka needs --target-topic and --partitions: Kafka cannot re-partition a topic in place");
        }
        if (bootstrap != null && !bootstrap.equals(source.kafka)) {
            throw new IllegalArgumentException("--to-kafka must be the --from-kafka cluster or left out, was "
                    + bootstrap + " (from " + source.kafka + ")");
        }
        return move(
                TopicMigration.fromKafka(source.kafka, topic),
                "Kafka topic",
                "fenced (stop its other producers first)",
                "Kafka");
    }

    private int move(TopicMigration.Builder builder, String targetKind, String closed, String engine)
            throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        if (target != null) {
            builder.targetTopic(target);
        }
        if (partitions != null) {
            builder.partitions(partitions);
        }
        try (TopicMigration migration = builder.start()) {
            if (!migration.awaitCopied(Duration.ofDays(1))) {
                throw new IllegalStateException("the copy of " + topic + " stopped: " + migration.failure()
                        + " (run the command again to resume)");
            }
            TopicMigration.Fence fence = migration.switchOver();
            out.println("topic " + topic + " copied to " + targetKind + " " + (target == null ? topic : target) + " ("
                    + fence.targetEnds().size() + " partitions) and " + closed + "; " + migration.copied()
                    + " records copied by this run; fence " + fence.sourceEnds() + " -> " + fence.targetEnds());
            Map<String, Map<Integer, Long>> moved = migration.moveGroups();
            moved.forEach(
                    (group, offsets) -> out.println("group " + group + " continues on " + engine + " at " + offsets));
            if (moved.isEmpty()) {
                out.println("no group to move (none committed, or all have offsets on " + engine + " already)");
            }
        }
        return 0;
    }
}
