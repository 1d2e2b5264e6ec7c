package dev.ordo.cli.log;

import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.storage.Record;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ordo consume TOPIC}: print records, like kafka-console-consumer.sh. Consumer groups with
 * committed offsets and ordering modes are not implemented yet: this reads every partition from
 * the beginning (or from {@code --offset}).
 */
@Command(name = "consume",
        mixinStandardHelpOptions = true,
        description = {
            "Prints records as 'key<TAB>partition<TAB>offset<TAB>value', partition by partition.",
            "Reads from the beginning of each partition (consumer groups come with the consumer API)."})
public final class ConsumeCommand implements Callable<Integer> {

    @CommandLine.Mixin
    TopicsCommand.DataOption data = new TopicsCommand.DataOption();

    @Parameters(index = "0", paramLabel = "TOPIC")
    String topic;

    @Option(names = "--from-beginning", description = "Start at the first offset of every partition (the only mode for now).")
    boolean fromBeginning;

    @Option(names = "--offset", defaultValue = "0", description = "Start at this offset in every partition (default ${DEFAULT-VALUE}).")
    long offset;

    @Option(names = "--max", defaultValue = "" + Long.MAX_VALUE, description = "Stop after this many records.")
    long max;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (max < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max must be >= 1, was " + max);
        }
        PrintWriter out = spec.commandLine().getOut();
        long printed = 0;
        try (EmbeddedLog log = EmbeddedLog.open(data.data)) {
            int partitions = log.partitionCount(topic);
            for (int p = 0; p < partitions && printed < max; p++) {
                long next = Math.max(offset, log.describe(topic).partitions().get(p).startOffset());
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
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        out.flush();
        return 0;
    }

    private static String text(byte[] bytes) {
        return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
    }
}
