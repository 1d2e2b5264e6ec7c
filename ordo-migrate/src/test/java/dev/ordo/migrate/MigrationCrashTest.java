package dev.ordo.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.kafka.KafkaBroker;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.storage.Record;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The migrating process is killed (SIGKILL) while it copies and while it switches, a producer sending all
 * along; each restart resumes the migration. In the end the target holds every acknowledged record exactly
 * once, each key's records in the order they were sent: Kafka for a topic of the embedded engine, the
 * embedded engine for a Kafka topic.
 */
class MigrationCrashTest {

    private static final int PER_RUN = 6_000;

    @TempDir
    Path dir;

    /** Values acknowledged by any run, by key. */
    private final Map<String, Set<Long>> acknowledged = new HashMap<>();

    private static final AtomicInteger TOPICS = new AtomicInteger();

    private String topic;
    private String direction;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"to-kafka", "to-embedded"})
    @Timeout(180)
    void killedWhileCopyingAndWhileSwitchingTheMigrationResumesLosingAndDuplicatingNothing(String direction)
            throws Exception {
        this.direction = direction;
        this.topic = "migrating-" + TOPICS.incrementAndGet();
        if (direction.equals("to-embedded")) {
            KafkaBroker.createTopic(topic, 4);
        }
        for (int run = 0; run < 3; run++) { // killed mid-copy, a few steps in
            killWhen(
                    run,
                    "copy",
                    line -> line.startsWith("COPIED ")
                            && Long.parseLong(line.substring(7)) >= 3L * MigrationCrashChild.STEP);
        }
        killWhen(3, "switch", line -> line.equals("SWITCHING"));
        Process finish = child(4, "finish");
        assertThat(readUntil(finish, "DONE"::equals))
                .as("the last run finished the migration")
                .isTrue();
        finish.destroyForcibly().waitFor();

        Map<String, List<Long>> onTarget =
                direction.equals("to-kafka") ? readKafka(KafkaBroker.bootstrapServers()) : readEmbedded();
        Set<Long> seen = new HashSet<>();
        onTarget.forEach((key, values) -> {
            assertThat(values).as("key %s in the order sent", key).isSorted();
            values.forEach(v -> assertThat(seen.add(v)).as("value %d once", v).isTrue());
        });
        acknowledged.forEach((key, values) -> assertThat(onTarget.getOrDefault(key, List.of()))
                .as("every acknowledged record of key %s in the target", key)
                .containsAll(values));
        assertThat(acknowledged.values().stream().mapToInt(Set::size).sum()).isGreaterThan(PER_RUN);
    }

    private void killWhen(int run, String mode, Predicate<String> moment) throws Exception {
        Process child = child(run, mode);
        boolean reached = readUntil(child, moment);
        child.destroyForcibly().waitFor(); // SIGKILL
        assertThat(reached).as("run %d reached its kill point", run).isTrue();
    }

    private Process child(int run, String mode) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                MigrationCrashChild.class.getName(),
                dir.toString(),
                KafkaBroker.bootstrapServers(),
                topic,
                direction,
                String.valueOf((long) run * PER_RUN),
                String.valueOf(PER_RUN),
                mode));
        return new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    /** Reads the child's lines, noting acknowledgements, until {@code moment} (true) or its output ends. */
    private boolean readUntil(Process child, Predicate<String> moment) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("ACK ")) {
                String[] f = line.split(" ");
                acknowledged.computeIfAbsent(f[1], k -> new HashSet<>()).add(Long.parseLong(f[2]));
            }
            if (moment.test(line)) {
                return true;
            }
        }
        return false;
    }

    /** Every committed record of the Kafka target, per key in offset order. */
    private Map<String, List<Long>> readKafka(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, List<Long>> byKey = new HashMap<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int q = 0; q < 3; q++) {
                partitions.add(new TopicPartition(topic, q));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(Long.parseLong(r.value()));
                }
            }
        }
        return byKey;
    }

    /** Every record of the embedded target, per key in offset order (the children have let the directory go). */
    private Map<String, List<Long>> readEmbedded() throws IOException {
        Map<String, List<Long>> byKey = new HashMap<>();
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            for (int q = 0; q < 3; q++) {
                long next = 0;
                for (List<Record> read = log.read(topic, q, next, 1 << 20);
                        !read.isEmpty();
                        read = log.read(topic, q, next, 1 << 20)) {
                    for (Record r : read) {
                        byKey.computeIfAbsent(string(r.key()), k -> new ArrayList<>())
                                .add(Long.parseLong(string(r.value())));
                    }
                    next = read.get(read.size() - 1).offset() + 1;
                }
            }
        }
        return byKey;
    }

    private static String string(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
