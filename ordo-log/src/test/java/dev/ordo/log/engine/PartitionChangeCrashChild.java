package dev.ordo.log.engine;

import dev.ordo.engine.Ordering;
import dev.ordo.engine.Serdes;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.storage.FsyncPolicy;
import dev.ordo.partition.TopicLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Run as a child JVM by {@link PartitionChangeCrashTest}: appends keyed records (fsync on every batch)
 * while a group of two consumers (KEY ordering) handles them, and every 15 records changes the topic's
 * partition count along 4, 8, 16, 6, 3 (then again from 4), printing {@code LAYOUT counts} at start,
 * {@code SEND}, {@code ACK}, {@code ALTER n}, {@code ALTERED n} and {@code CONSUMED key n} lines until
 * killed.
 *
 * <p>Arguments: data directory, first value to send, values to send (then only consume).
 */
public final class PartitionChangeCrashChild {

    static final int[] COUNTS = {4, 8, 16, 6, 3};

    private PartitionChangeCrashChild() {}

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        long first = Long.parseLong(args[1]);
        long count = Long.parseLong(args[2]);
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            if (!log.listTopics().contains("moving")) {
                log.createTopic("moving", TopicSpec.partitions(COUNTS[0]).fsync(FsyncPolicy.everyBatch()));
            }
            print("LAYOUT " + counts(log.layout("moving")));
            List<OrdoConsumer<String, String>> group = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                group.add(OrdoConsumer.builder(log, "moving", Serdes.string(), Serdes.string())
                        .group("g")
                        .ordering(Ordering.KEY)
                        .concurrency(4)
                        .handler(r -> print("CONSUMED " + r.key() + " " + r.value()))
                        .start());
            }
            for (long n = first; n < first + count; n++) {
                String key = "k" + (n % 24);
                print("SEND " + key + " " + n);
                log.append(
                        "moving",
                        key.getBytes(StandardCharsets.UTF_8),
                        String.valueOf(n).getBytes(StandardCharsets.UTF_8));
                print("ACK " + key + " " + n);
                if ((n + 1) % 15 == 0) {
                    int next = next(log.layout("moving").partitions());
                    print("ALTER " + next);
                    log.alterPartitions("moving", next);
                    print("ALTERED " + next);
                }
            }
            print("PRODUCED");
            while (System.in.read() >= 0) {
                // the parent never writes; end of input means: shut down cleanly
            }
            for (OrdoConsumer<String, String> member : group) {
                member.close();
            }
            print("CLOSED");
        }
    }

    static String counts(TopicLayout layout) {
        return layout.layouts().stream()
                .map(l -> String.valueOf(l.partitions()))
                .collect(Collectors.joining(","));
    }

    private static int next(int current) {
        for (int i = 0; i < COUNTS.length; i++) {
            if (COUNTS[i] == current) {
                return COUNTS[(i + 1) % COUNTS.length];
            }
        }
        return COUNTS[0];
    }

    private static void print(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }
}
