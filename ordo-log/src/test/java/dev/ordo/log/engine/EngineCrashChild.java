package dev.ordo.log.engine;

import dev.ordo.engine.Ordering;
import dev.ordo.engine.Serdes;
import dev.ordo.log.consumer.JsonSnapshotState;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.storage.FsyncPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Run as a child JVM by {@link EngineCrashTest}: produces keyed records with fsync on every batch
 * and consumes them in a consumer group (KEY ordering) at the same time, printing
 * {@code SEND n}, {@code ACK n}, and {@code CONSUMED key n} lines, until killed.
 *
 * <p>Arguments: data directory, first value to send, values to send (then only consume), and the
 * mode: {@code at-least-once} (group offsets file) or {@code exactly-once} (offsets committed with an
 * {@link Applied} state in {@code applied.json} next to the data directory).
 */
public final class EngineCrashChild {

    private EngineCrashChild() {}

    /** The exactly-once mode's state: the values applied, per key, in the order applied. */
    public static final class Applied {
        // The concrete type: Jackson restores the declared type, and handlers of different keys run concurrently.
        public ConcurrentHashMap<String, List<Long>> perKey = new ConcurrentHashMap<>();
    }

    static Path stateFile(Path data) {
        return data.resolveSibling(data.getFileName() + "-applied.json");
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        long first = Long.parseLong(args[1]);
        long count = Long.parseLong(args[2]);
        boolean exactlyOnce = args[3].equals("exactly-once");
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            if (!log.listTopics().contains("crash")) {
                log.createTopic("crash", TopicSpec.partitions(4).fsync(FsyncPolicy.everyBatch()));
            }
            JsonSnapshotState<Applied> state = new JsonSnapshotState<>(stateFile(data), Applied.class, Applied::new);
            OrdoConsumer.Builder builder = OrdoConsumer.builder(log, "crash", Serdes.string(), Serdes.string())
                    .group("g")
                    .ordering(Ordering.KEY)
                    .concurrency(4)
                    .handler(r -> {
                        if (exactlyOnce) {
                            state.value()
                                    .perKey
                                    .computeIfAbsent(r.key(), k -> new CopyOnWriteArrayList<>())
                                    .add(Long.parseLong(r.value()));
                        }
                        print("CONSUMED " + r.key() + " " + r.value());
                    });
            if (exactlyOnce) {
                builder.committedState(state).commitInterval(Duration.ofMillis(20));
            }
            OrdoConsumer<String, String> consumer = builder.start();
            for (long n = first; n < first + count; n++) {
                String key = "k" + (n % 16);
                print("SEND " + key + " " + n);
                log.append(
                        "crash",
                        key.getBytes(StandardCharsets.UTF_8),
                        String.valueOf(n).getBytes(StandardCharsets.UTF_8));
                print("ACK " + key + " " + n);
            }
            print("PRODUCED");
            // Keep consuming until killed (or, in the last cycle, until the parent closes our input).
            while (System.in.read() >= 0) {
                // the parent never writes; end of input means: shut down cleanly
            }
            consumer.close();
            print("CLOSED");
        }
    }

    private static synchronized void print(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
