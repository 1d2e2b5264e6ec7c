package dev.ordo.cli.log;

import dev.ordo.engine.Ordering;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.storage.Record;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ordo consume TOPIC}: print records, like kafka-console-consumer.sh: every partition in
 * turn, or as a consumer group that resumes from its committed offsets.
 */
@Command(
        name = "consume",
        mixinStandardHelpOptions = true,
        description = {
            "Prints a topic's records as 'key<TAB>partition<TAB>offset<TAB>value' lines.",
            "Without --group: partition after partition, each in offset order, from its first offset (or --offset).",
            "With --group G: resumes from G's committed offsets (a new group starts at the first offset), commits"
                    + " what it printed and stops when nothing new arrives for a second. Records are handled in"
                    + " parallel as a group does, so lines come in offset order per key (--ordering KEY, the default)"
                    + " or per partition (PARTITION), with different keys or partitions interleaved, or in no"
                    + " particular order (UNORDERED).",
            "A damaged record batch stops it with exit code 2 after every record before the damage was printed;"
                    + " 'ordo topics check' and 'ordo topics repair' deal with the damage."
        })
public final class ConsumeCommand implements Callable<Integer> {

    @CommandLine.Mixin
    TopicsCommand.DataOption data = new TopicsCommand.DataOption();

    @Parameters(index = "0", paramLabel = "TOPIC")
    String topic;

    @Option(
            names = "--from-beginning",
            description = "Start at the first offset of every partition (what it does without --offset).")
    boolean fromBeginning;

    @Option(
            names = "--offset",
            paramLabel = "OFFSET",
            description = "Start at this offset (>= 0) in every partition; not with --group.")
    Long offset;

    @Option(names = "--max", defaultValue = "" + Long.MAX_VALUE, description = "Stop after this many records.")
    long max;

    @Option(
            names = "--group",
            paramLabel = "G",
            description = "Consume as consumer group G: resume from its committed offsets, commit what was handled,"
                    + " stop when nothing new arrives for a second.")
    String group;

    @Option(
            names = "--ordering",
            paramLabel = "ORDERING",
            description = "With --group: ${COMPLETION-CANDIDATES} (default KEY).")
    Ordering ordering;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (max < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max must be >= 1, was " + max);
        }
        if (offset != null && offset < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--offset must be >= 0, was " + offset);
        }
        if (offset != null && fromBeginning) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--offset and --from-beginning exclude each other");
        }
        PrintWriter out = spec.commandLine().getOut();
        try {
            if (group != null) {
                if (max != Long.MAX_VALUE) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(),
                            "--max cannot be combined with --group yet: records fetched beyond it would be committed"
                                    + " unprinted");
                }
                if (offset != null) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(),
                            "--offset cannot be combined with --group: a group resumes from its committed offsets");
                }
                return consumeAsGroup(out);
            }
            if (ordering != null) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "--ordering needs --group: without a group, records are printed partition after partition,"
                                + " each in offset order");
            }
            return consumePartitions(out);
        } finally {
            out.flush(); // what was printed before an error reaches the reader before the error does
        }
    }

    private int consumePartitions(PrintWriter out) throws IOException {
        long printed = 0;
        long from = offset == null ? 0 : offset;
        try (EmbeddedLog log = EmbeddedLog.open(data.existing())) {
            int partitions = log.partitionCount(topic);
            for (int p = 0; p < partitions && printed < max; p++) {
                long next = Math.max(from, log.startOffset(topic, p));
                while (printed < max) {
                    List<Record> records = log.read(topic, p, next, 1 << 20);
                    if (records.isEmpty()) {
                        break;
                    }
                    for (Record r : records) {
                        if (printed == max) {
                            break;
                        }
                        out.println(text(r.key()) + "\t" + p + "\t" + r.offset() + "\t" + text(r.value()));
                        printed++;
                        next = r.offset() + 1;
                    }
                }
            }
        }
        return 0;
    }

    private int consumeAsGroup(PrintWriter out) throws IOException {
        AtomicLong printed = new AtomicLong();
        Optional<Throwable> failure;
        try (EmbeddedLog log = EmbeddedLog.open(data.existing())) {
            OrdoConsumer<byte[], byte[]> consumer = OrdoConsumer.builder(log, topic)
                    .group(group)
                    .ordering(ordering == null ? Ordering.KEY : ordering)
                    .handler(r -> {
                        synchronized (out) {
                            out.println(
                                    text(r.key()) + "\t" + r.partition() + "\t" + r.offset() + "\t" + text(r.value()));
                        }
                        printed.incrementAndGet();
                    })
                    .start();
            // A one-shot console read: what the topic holds now, then the group commits and leaves.
            try {
                while (!consumer.awaitCaughtUp(Duration.ofSeconds(1))
                        && consumer.failure().isEmpty()) {
                    // a large backlog: keep going
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            consumer.close();
            failure = consumer.failure();
        }
        if (failure.isPresent()) {
            throw rethrowable(failure.get());
        }
        return 0;
    }

    /** The consumer's failure as something {@link #call()} may throw. */
    private static RuntimeException rethrowable(Throwable failure) throws IOException {
        if (failure instanceof IOException io) {
            throw io;
        }
        if (failure instanceof RuntimeException runtime) {
            return runtime;
        }
        return new IllegalStateException("the consumer stopped: " + failure, failure);
    }

    private static String text(byte[] bytes) {
        return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
    }
}
