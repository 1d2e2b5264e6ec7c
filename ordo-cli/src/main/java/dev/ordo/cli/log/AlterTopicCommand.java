package dev.ordo.cli.log;

import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicChange;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.storage.LogConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ordo topics alter}: changes a topic's partition count (keys keep their order) and its fsync
 * policy, retention and segment size ({@link EmbeddedLog#alterTopic}), offline.
 */
@Command(
        name = "alter",
        mixinStandardHelpOptions = true,
        description = {
            "Change a topic's partition count, keeping each key's order: a key's records in its new partition"
                    + " are handled only after its records in the partition it left.",
            "Change its fsync policy, retention and segment size: a new fsync policy forces what was written"
                    + " and covers every later append; a segment size applies from the next roll; retention"
                    + " at once. Offline: the data directory must not be in use."
        })
final class AlterTopicCommand implements Callable<Integer> {
    @CommandLine.Mixin
    TopicsCommand.DataOption data = new TopicsCommand.DataOption();

    @Parameters(index = "0", paramLabel = "TOPIC")
    String topic;

    @Option(
            names = "--partitions",
            paramLabel = "N",
            description = "The new count; fewer retires the highest numbered partitions, which drain.")
    Integer partitions;

    @Option(names = "--fsync", paramLabel = "POLICY", description = "every-batch, none or interval:<N>ms.")
    String fsync;

    @Option(names = "--segment-bytes", paramLabel = "BYTES", description = "Roll segments at this size.")
    Integer segmentBytes;

    @Option(
            names = "--retention-bytes",
            paramLabel = "BYTES",
            description = "Delete old segments beyond this many bytes per partition (-1: no limit).")
    Long retentionBytes;

    @Option(
            names = "--retention-ms",
            paramLabel = "MILLIS",
            description = "Delete segments whose records are all older than this (-1: no limit).")
    Long retentionMs;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (partitions == null
                && fsync == null
                && segmentBytes == null
                && retentionBytes == null
                && retentionMs == null) {
            throw new IllegalArgumentException("alter needs at least one of --partitions, --fsync, --segment-bytes,"
                    + " --retention-bytes, --retention-ms");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (EmbeddedLog log = EmbeddedLog.open(data.existing())) {
            LogConfig before = log.describe(topic).log();
            TopicChange change = change(before.retention());
            if (!change.isEmpty()) {
                LogConfig after = log.alterTopic(topic, change).log();
                out.println("topic " + topic + " now has fsync " + after.fsync() + ", segment bytes "
                        + after.segmentBytes() + ", retention " + TopicsCommand.retention(after.retention())
                        + " (was fsync "
                        + before.fsync() + ", segment bytes " + before.segmentBytes() + ", retention "
                        + TopicsCommand.retention(before.retention()) + ")");
            }
            if (partitions != null) {
                int count = log.layout(topic).partitions();
                log.alterPartitions(topic, partitions);
                out.println("topic " + topic + " now has " + partitions + " partitions (was " + count + ")");
            }
        }
        return 0;
    }

    /** The settings change the options ask for, each value checked; {@code retention} is the topic's now. */
    private TopicChange change(LogConfig.Retention retention) {
        TopicChange change = TopicChange.none();
        if (fsync != null) {
            try {
                change = change.fsync(TopicSpec.parseFsync(fsync));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "--fsync must be every-batch, none or interval:<N>ms, was '" + fsync + "'");
            }
        }
        if (segmentBytes != null) {
            if (segmentBytes < 1) {
                throw new IllegalArgumentException("--segment-bytes must be > 0, was " + segmentBytes);
            }
            change = change.segmentBytes(segmentBytes);
        }
        if (retentionBytes != null || retentionMs != null) {
            change = change.retention(merged(retention, retentionBytes, retentionMs));
        }
        return change;
    }

    /** The retention the options give; an option left out keeps that kind of limit as it is. */
    private static LogConfig.Retention merged(LogConfig.Retention now, Long bytes, Long millis) {
        if (bytes != null && (bytes == 0 || bytes < -1)) {
            throw new IllegalArgumentException("--retention-bytes must be > 0 or -1 (no limit), was " + bytes);
        }
        if (millis != null && (millis == 0 || millis < -1)) {
            throw new IllegalArgumentException("--retention-ms must be > 0 or -1 (no limit), was " + millis);
        }
        return new LogConfig.Retention(
                bytes == null ? now.maxBytes() : bytes,
                millis == null ? now.maxAge() : millis < 0 ? null : Duration.ofMillis(millis));
    }
}
