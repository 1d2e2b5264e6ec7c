package dev.ordo.cli.log;

import dev.ordo.engine.Ordering;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.OrdoConsumer;
import dev.ordo.log.storage.Record;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ordo consume TOPIC}: print records, like kafka-console-consumer.sh. Consumer groups with
 * committed offsets and ordering modes are not implemented yet: this reads every partition from
 * the beginning (or from {@code --offset}).
 */
@Command(
        name = "consume",
        mixinStandardHelpOptions = true,
        description = {
            "Prints records as 'key<TAB>partition<TAB>offset<TAB>value', partition by partition.",
            "Without --group: reads every partition from the beginning (or --offset).",
            "With --group: resumes from the group's committed offsets and commits what it printed."
        })
public final class ConsumeCommand implements Callable<Integer> {

    @CommandLine.Mixin
    TopicsCommand.DataOption data = new TopicsCommand.DataOption();

    @Parameters(index = "0", paramLabel = "TOPIC")
    String topic;

    @Option(
            names = "--from-beginning",
            description = "Start at the first offset of every partition (the only mode for now).")
    boolean fromBeginning;

    @Option(
            names = "--offset",
            defaultValue = "0",
            description = "Start at this offset in every partition (default ${DEFAULT-VALUE}).")
    long offset;

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
            defaultValue = "KEY",
            description = "With --group: PARTITION, KEY or UNORDERED (default ${DEFAULT-VALUE}).")
    Ordering ordering;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (max < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max must be >= 1, was " + max);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (group != null) {
            if (max != Long.MAX_VALUE) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "--max cannot be combined with --group yet: records fetched beyond it would be committed unprinted");
            }
            return consumeAsGroup(out);
        }
        long printed = 0;
        try (EmbeddedLog log = EmbeddedLog.open(data.data)) {
            int partitions = log.partitionCount(topic);
            for (int p = 0; p < partitions && printed < max; p++) {
                long next = Math.max(offset, log.startOffset(topic, p));
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
        out.flush();
        return 0;
    }

    private int consumeAsGroup(PrintWriter out) throws IOException {
        AtomicLong printed = new AtomicLong();
        try (EmbeddedLog log = EmbeddedLog.open(data.data)) {
            OrdoConsumer<byte[], byte[]> consumer = OrdoConsumer.builder(log, topic)
                    .group(group)
                    .ordering(ordering)
                    .handler(r -> {
                        synchronized (out) {
                            out.println(
                                    text(r.key()) + "\t" + r.partition() + "\t" + r.offset() + "\t" + text(r.value()));
                        }
                        printed.incrementAndGet();
                    })
                    .start();
            long seen = -1;
            while (printed.get() != seen) {
                seen = printed.get();
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1)); // an idle second ends a one-shot console read
            }
            consumer.close();
        }
        out.flush();
        return 0;
    }

    private static String text(byte[] bytes) {
        return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
    }
}
