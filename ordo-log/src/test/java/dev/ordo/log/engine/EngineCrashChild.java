package dev.ordo.log.engine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Run as a child JVM by {@link EngineCrashTest}: produces keyed records with fsync on every batch
 * and consumes them in a consumer group (KEY ordering) at the same time, printing
 * {@code SEND n}, {@code ACK n}, and {@code CONSUMED key n} lines, until killed.
 *
 * <p>Arguments: data directory, first value to send, values to send (then only consume).
 */
public final class EngineCrashChild {

    private EngineCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        long first = Long.parseLong(args[1]);
        long count = Long.parseLong(args[2]);
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            if (!log.listTopics().contains("crash")) {
                log.createTopic("crash", TopicSpec.partitions(4).fsync(dev.ordo.log.storage.FsyncPolicy.everyBatch()));
            }
            OrdoConsumer consumer = OrdoConsumer.builder(log, "crash").group("g").ordering(Ordering.KEY).concurrency(4)
                    .handler(r -> print("CONSUMED " + r.keyAsString() + " " + r.valueAsString()))
                    .start();
            for (long n = first; n < first + count; n++) {
                String key = "k" + (n % 16);
                print("SEND " + key + " " + n);
                log.append("crash", key.getBytes(StandardCharsets.UTF_8), String.valueOf(n).getBytes(StandardCharsets.UTF_8));
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
