package dev.ordo.migrate;

import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Run as a child JVM by {@link MigrationCrashTest}: migrates topic {@code TOPIC} of a data directory to
 * Kafka ({@code to-kafka}), or of Kafka to the data directory ({@code to-embedded}), 4 partitions into 3,
 * while a producer made by the migration sends {@code count} keyed records from {@code first} on. Prints {@code ACK key value} per acknowledged record and {@code COPIED n} as the copy
 * goes. Modes: {@code copy} sends and then waits to be killed; {@code switch} prints {@code SWITCHING} and
 * switches (to be killed in the switch); {@code finish} sends half, switches, sends the other half to
 * Kafka, moves the groups and prints {@code DONE}.
 *
 * <p>Arguments: data directory, bootstrap servers, topic, direction, first value, count, mode.
 */
public final class MigrationCrashChild {

    static final int KEYS = 16;
    /** Small steps: a kill lands inside one (records sent, not committed) most of the time. */
    static final int STEP = 400;

    private MigrationCrashChild() {}

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        String bootstrap = args[1];
        String topic = args[2];
        boolean toKafka = args[3].equals("to-kafka");
        long first = Long.parseLong(args[4]);
        long count = Long.parseLong(args[5]);
        String mode = args[6];
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            TopicMigration.Builder builder;
            if (toKafka) {
                if (!log.listTopics().contains(topic)) {
                    log.createTopic(topic, TopicSpec.partitions(4));
                }
                builder = TopicMigration.fromEmbedded(log, topic).toKafka(bootstrap);
            } else { // the parent made the Kafka topic
                builder = TopicMigration.fromKafka(bootstrap, topic).toEmbedded(log);
            }
            try (TopicMigration migration =
                    builder.partitions(3).stepRecords(STEP).start()) {
                reportProgress(migration);
                RecordProducer<String, String> producer = migration.producer(Serdes.string(), Serdes.string());
                long half = mode.equals("finish") ? count / 2 : count;
                send(producer, first, half);
                if (mode.equals("copy")) {
                    awaitKill();
                }
                migration.awaitCopied(Duration.ofSeconds(30));
                print("SWITCHING");
                migration.switchOver();
                if (mode.equals("switch")) {
                    awaitKill();
                }
                send(producer, first + half, count - half);
                producer.close();
                migration.moveGroups();
                print("DONE");
            }
        }
    }

    private static void send(RecordProducer<String, String> producer, long first, long count) {
        for (long n = first; n < first + count; n++) {
            String key = "k" + (n % KEYS);
            String value = String.valueOf(n);
            producer.send(key, value).thenRun(() -> print("ACK " + key + " " + value));
        }
        producer.flush();
    }

    /** Prints {@code COPIED n} every 20 ms while the copy moves. */
    private static void reportProgress(TopicMigration migration) {
        long[] reported = {-1};
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "progress");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(
                () -> {
                    long copied = migration.copied();
                    if (copied != reported[0]) {
                        print("COPIED " + copied);
                        reported[0] = copied;
                    }
                },
                0,
                20,
                TimeUnit.MILLISECONDS);
    }

    /** Waits until killed (or, if the parent is gone, until its input ends). */
    private static void awaitKill() throws IOException {
        while (System.in.read() >= 0) {
            // the parent kills this JVM
        }
    }

    private static synchronized void print(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
