package dev.ordo.cli.log;

import dev.ordo.cli.ExitCode;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicDescription;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.storage.CorruptionPolicy;
import dev.ordo.log.storage.LogConfig;
import dev.ordo.log.storage.Record;
import dev.ordo.log.storage.SegmentDamage;
import dev.ordo.partition.HotKeys;
import dev.ordo.partition.Placement;
import dev.ordo.partition.TopicLayout;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ordo topics create|list|describe|alter|delete|check|repair}: manage the embedded engine's topics,
 * like kafka-topics.sh.
 */
@Command(
        name = "topics",
        mixinStandardHelpOptions = true,
        description = "Create, list, describe, alter, prune, delete, check and repair topics of the embedded engine.",
        subcommands = {
            TopicsCommand.Create.class,
            TopicsCommand.ListTopics.class,
            TopicsCommand.Describe.class,
            AlterTopicCommand.class,
            TopicsCommand.Prune.class,
            TopicsCommand.Delete.class,
            TopicsCommand.Check.class,
            TopicsCommand.Repair.class
        })
public final class TopicsCommand implements Callable<Integer> {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** {@code ordo topics} alone: the usage, on standard error, as for any other incomplete command. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCode.ERROR;
    }

    /** The data directory option shared by the log commands. */
    public static final class DataOption {
        @Option(names = "--data", paramLabel = "DIR", required = true, description = "The engine's data directory.")
        Path data;

        /**
         * The data directory, which must exist: every command but {@code topics create} works on topics
         * that exist, and a mistyped path must not leave an empty data directory behind.
         */
        Path existing() {
            if (!Files.isDirectory(data)) {
                throw new IllegalArgumentException("--data must be an existing data directory, was " + data
                        + (Files.exists(data)
                                ? " (not a directory)"
                                : " (no such directory; 'ordo topics create' makes one)"));
            }
            return data;
        }

        /** The data directory {@code topics create} opens, creating it if missing, but never over a file. */
        Path creatable() {
            if (Files.exists(data) && !Files.isDirectory(data)) {
                throw new IllegalArgumentException("--data must be a directory, was " + data + " (not a directory)");
            }
            return data;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a topic.")
    static final class Create implements Callable<Integer> {
        @CommandLine.Mixin
        DataOption data = new DataOption();

        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;

        @Option(names = "--partitions", defaultValue = "1", description = "Partitions (default ${DEFAULT-VALUE}).")
        int partitions;

        @Option(
                names = "--fsync",
                defaultValue = "interval:100ms",
                description = "every-batch, none or interval:<N>ms (default ${DEFAULT-VALUE}).")
        String fsync;

        @Option(
                names = "--segment-bytes",
                paramLabel = "BYTES",
                description = "Roll segments at this size (default 1 GiB).")
        Integer segmentBytes;

        @Option(
                names = "--retention-bytes",
                paramLabel = "BYTES",
                defaultValue = "-1",
                description = "Delete old segments beyond this many bytes per partition (default: keep all).")
        long retentionBytes;

        @Option(
                names = "--retention-ms",
                paramLabel = "MILLIS",
                defaultValue = "-1",
                description = "Delete segments whose records are all older than this (default: keep all).")
        long retentionMs;

        @Option(
                names = "--auto-scale",
                paramLabel = "MIN:MAX:TARGET",
                description = "Let the engine grow and shrink the topic between MIN and MAX partitions, aiming at "
                        + "TARGET records per second per partition (keys keep their order).")
        String autoScale;

        @Option(
                names = "--placement",
                paramLabel = "PLACEMENT",
                defaultValue = "kafka",
                description = "How keys are placed on partitions: kafka (murmur2 modulo, as Kafka's clients; default) "
                        + "or jump (jump consistent hashing: a change of the count moves the fewest keys).")
        String placement;

        @Option(
                names = "--on-corruption",
                paramLabel = "POLICY",
                defaultValue = "STOP",
                description = "A damaged sealed segment on open: STOP (refuse, default) or SKIP (cut it there, log an "
                        + "error, go on). Case-insensitive.")
        CorruptionPolicy onCorruption;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            TopicSpec topicSpec = TopicSpec.partitions(partitions)
                    .fsync(TopicSpec.parseFsync(fsync))
                    .retention(new LogConfig.Retention(
                            retentionBytes, retentionMs < 0 ? null : Duration.ofMillis(retentionMs)))
                    .onCorruption(onCorruption)
                    .placement(Placement.parse(placement));
            if (autoScale != null) {
                String[] f = autoScale.split(":");
                if (f.length != 3) {
                    throw new IllegalArgumentException("--auto-scale must be MIN:MAX:TARGET, was '" + autoScale + "'");
                }
                try {
                    topicSpec = topicSpec.autoScale(
                            Integer.parseInt(f[0]), Integer.parseInt(f[1]), Double.parseDouble(f[2]));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--auto-scale must be MIN:MAX:TARGET, was '" + autoScale + "'");
                }
            }
            if (segmentBytes != null) {
                topicSpec = topicSpec.segmentBytes(segmentBytes);
            }
            try (EmbeddedLog log = EmbeddedLog.open(data.creatable())) {
                log.createTopic(topic, topicSpec);
            }
            spec.commandLine()
                    .getOut()
                    .println("created topic " + topic + " with " + partitions
                            + (partitions == 1 ? " partition" : " partitions"));
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the topics, one per line.")
    static final class ListTopics implements Callable<Integer> {
        @CommandLine.Mixin
        DataOption data = new DataOption();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            try (EmbeddedLog log = EmbeddedLog.open(data.existing())) {
                log.listTopics().forEach(spec.commandLine().getOut()::println);
            }
            return 0;
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true, description = "Show a topic's partitions and offsets.")
    static final class Describe implements Callable<Integer> {
        @CommandLine.Mixin
        DataOption data = new DataOption();

        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;

        @Option(
                names = "--hot-keys",
                paramLabel = "N",
                defaultValue = "0",
                description = "Also list the N heaviest keys among each partition's last " + HOT_KEY_SAMPLE
                        + " records (default: none).")
        int hotKeys;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            if (hotKeys < 0) {
                throw new IllegalArgumentException("--hot-keys must be >= 0, was " + hotKeys);
            }
            try (EmbeddedLog log = EmbeddedLog.open(data.existing())) {
                TopicDescription d = log.describe(topic);
                PrintWriter out = spec.commandLine().getOut();
                out.println("topic " + d.name() + "  partitions " + d.layout().partitions() + "  placement "
                        + d.placement().text() + "  fsync " + d.fsync());
                out.println("  segment bytes " + d.log().segmentBytes() + "  retention "
                        + retention(d.log().retention()));
                for (TopicDescription.PartitionState p : d.partitions()) {
                    out.println("  partition " + p.partition() + "  start offset " + p.startOffset() + "  next offset "
                            + p.nextOffset() + (d.layout().retired(p.partition()) ? "  retired" : "")
                            + (p.recordsPerSecond() > 0
                                    ? "  " + Math.round(p.recordsPerSecond()) + " records/s, "
                                            + Math.round(p.bytesPerSecond()) + " bytes/s"
                                    : ""));
                }
                if (d.hotKey() != null) {
                    out.println("  hot key " + d.hotKey() + ": alone above the auto-scale target of a partition");
                }
                List<TopicLayout.Layout> layouts = d.layout().layouts();
                if (layouts.size() > 1) {
                    out.println("  layouts (a key's records wait for its records in the partition it left):");
                    for (int i = 0; i < layouts.size(); i++) {
                        out.println("    " + i + ": " + layouts.get(i).partitions() + " partitions from offsets "
                                + Arrays.toString(layouts.get(i).starts()));
                    }
                }
                if (hotKeys > 0) {
                    printHotKeys(log, d, out);
                }
            }
            return 0;
        }

        /** The heaviest keys of each partition's recent records, by the Space-Saving sketch. */
        private void printHotKeys(EmbeddedLog log, TopicDescription d, PrintWriter out) throws IOException {
            HotKeys<String> sketch = new HotKeys<>(Math.max(16, 4 * hotKeys));
            for (TopicDescription.PartitionState p : d.partitions()) {
                long from = Math.max(p.startOffset(), p.nextOffset() - HOT_KEY_SAMPLE);
                for (Record r : log.read(topic, p.partition(), from, 8 << 20)) {
                    if (r.key() != null && r.offset() < from + HOT_KEY_SAMPLE) {
                        sketch.add(new String(r.key(), StandardCharsets.UTF_8), 1);
                    }
                }
            }
            out.println("  hot keys (of the last " + sketch.total() + " records read):");
            for (HotKeys.Hot<String> hot : sketch.top(hotKeys)) {
                out.println("    " + hot.key() + "  " + hot.count() + " records"
                        + (hot.error() > 0 ? " (at most " + hot.error() + " fewer)" : ""));
            }
        }
    }

    /** Records read back from each partition for {@code describe --hot-keys}. */
    static final int HOT_KEY_SAMPLE = 10_000;

    /** A retention as {@code describe} and {@code alter} print it: {@code 1048576 bytes, 3600000 ms}. */
    static String retention(LogConfig.Retention retention) {
        String bytes = retention.maxBytes() < 0 ? "unlimited bytes" : retention.maxBytes() + " bytes";
        String age = retention.maxAge() == null
                ? "unlimited time"
                : retention.maxAge().toMillis() + " ms";
        return bytes + ", " + age;
    }

    @Command(
            name = "prune",
            mixinStandardHelpOptions = true,
            description = {
                "Delete the records of retired partitions that every group of the topic has read.",
                "A running engine does this itself every 10 s; the offsets continue where they were."
            })
    static final class Prune implements Callable<Integer> {
        @CommandLine.Mixin
        DataOption data = new DataOption();

        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            try (EmbeddedLog log = EmbeddedLog.open(data.existing())) {
                List<Integer> emptied = log.deleteDrainedRetired(topic);
                spec.commandLine()
                        .getOut()
                        .println(
                                emptied.isEmpty()
                                        ? "topic " + topic + ": no retired partition holds records every group has read"
                                        : "topic " + topic + ": emptied retired partitions " + emptied);
            }
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a topic and its data.")
    static final class Delete implements Callable<Integer> {
        @CommandLine.Mixin
        DataOption data = new DataOption();

        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            try (EmbeddedLog log = EmbeddedLog.open(data.existing())) {
                log.deleteTopic(topic);
            }
            spec.commandLine().getOut().println("deleted topic " + topic);
            return 0;
        }
    }

    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            description = {
                "Reads every record batch of a topic and reports damage, changing nothing.",
                "Offline: the data directory must not be in use. Opening a topic reads only part of its sealed"
                        + " segments, so damage there shows when it is read; this finds all of it. Exit code 0 when"
                        + " every batch is whole, 1 when damage is found (one line each: partition, segment file,"
                        + " byte position, reason, and the offsets a repair would lose)."
            })
    static final class Check implements Callable<Integer> {
        @CommandLine.Mixin
        DataOption data = new DataOption();

        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            List<SegmentDamage> found = EmbeddedLog.checkTopic(data.existing(), topic);
            PrintWriter out = spec.commandLine().getOut();
            if (found.isEmpty()) {
                out.println("topic " + topic + ": every record batch is whole");
                return ExitCode.OK;
            }
            for (SegmentDamage damage : found) {
                out.println(damage.describe() + "; a repair loses " + damage.lostOffsets());
            }
            out.println("topic " + topic + ": " + found.size()
                    + (found.size() == 1 ? " damaged segment" : " damaged segments")
                    + ", nothing changed; 'ordo topics repair " + topic + " --data " + data.data
                    + "' cuts each at its damage, or restore the segments from a copy");
            return ExitCode.CHECK_FAILED;
        }
    }

    @Command(
            name = "repair",
            mixinStandardHelpOptions = true,
            description = {
                "Cuts each damaged segment of a topic at its first damaged batch and says which offsets are lost.",
                "Offline: the data directory must not be in use. The records after the damage in that segment are"
                        + " lost; every other segment is kept, as --on-corruption skip does when a topic opens, and"
                        + " readers skip the lost offsets. Run 'ordo topics check' first to see what it would cut."
            })
    static final class Repair implements Callable<Integer> {
        @CommandLine.Mixin
        DataOption data = new DataOption();

        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            List<SegmentDamage> cut = EmbeddedLog.repairTopic(data.existing(), topic);
            PrintWriter out = spec.commandLine().getOut();
            for (SegmentDamage damage : cut) {
                out.println(damage.describe() + "; cut there, " + damage.lostOffsets() + " lost");
            }
            out.println("topic " + topic + ": "
                    + (cut.isEmpty()
                            ? "every record batch is whole, nothing cut"
                            : cut.size() + (cut.size() == 1 ? " segment" : " segments") + " cut at the damage"));
            return ExitCode.OK;
        }
    }
}
