package dev.ordo.cli.log;

import static dev.ordo.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.cli.Cli.Run;
import dev.ordo.engine.OrdoRecord;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.kafka.EmbeddedKafka;
import dev.ordo.kafka.KafkaOrdoConsumer;
import dev.ordo.kafka.KafkaOrdoProducer;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ordo migrate}: a topic and its groups' progress move to Kafka; run again, it has nothing left to do. */
class MigrateCommandTest {

    private static final int RECORDS = 3_000;
    private static final int KEYS = 30;

    private static EmbeddedKafka kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    void aTopicMovesToKafkaWithEachGroupGoingOnWhereItStoodAndNothingLost() throws Exception {
        Set<String> handledBefore = ConcurrentHashMap.newKeySet();
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            log.createTopic("orders", TopicSpec.partitions(3));
            try (RecordProducer<String, String> producer = OrdoProducer.builder(
                            log, "orders", Serdes.string(), Serdes.string())
                    .build()) {
                for (int i = 0; i < RECORDS; i++) {
                    producer.send("k" + (i % KEYS), Integer.toString(i / KEYS));
                }
            }
            try (RecordConsumer done = OrdoConsumer.builder(log, "orders", Serdes.string(), Serdes.string())
                    .group("done")
                    .handler(r -> {})
                    .start()) {
                assertThat(done.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            }
            CountDownLatch third = new CountDownLatch(RECORDS / 3);
            CountDownLatch release = new CountDownLatch(1);
            RecordConsumer behind = OrdoConsumer.builder(log, "orders", Serdes.string(), Serdes.string())
                    .group("behind")
                    .concurrency(1)
                    .handler(r -> {
                        if (third.getCount() == 0) {
                            release.await(); // a third handled: the rest waits until the group stopped
                            return;
                        }
                        handledBefore.add(r.key() + "/" + r.value());
                        third.countDown();
                    })
                    .start();
            third.await();
            behind.close(Duration.ofMillis(100));
            release.countDown();
        }

        Run migrate = run(
                "",
                "migrate",
                "orders",
                "--data",
                dir.toString(),
                "--to-kafka",
                kafka.bootstrapServers(),
                "--partitions",
                "2");

        assertThat(migrate.exit()).as(migrate.err()).isZero();
        assertThat(migrate.out())
                .contains("topic orders copied to Kafka topic orders (2 partitions) and sealed; 3000 records copied")
                .contains("group behind continues on Kafka at")
                .contains("group done continues on Kafka at");
        assertThat(handledAfterMove("done")).isEmpty();
        Map<String, List<Integer>> behindAfter = handledAfterMove("behind");
        Set<String> all = ConcurrentHashMap.newKeySet();
        all.addAll(handledBefore);
        behindAfter.forEach((key, values) -> {
            assertThat(values).as("key %s in order on Kafka", key).isSorted().doesNotHaveDuplicates();
            values.forEach(v -> all.add(key + "/" + v));
        });
        assertThat(all).as("every record handled, before or after the move").hasSize(RECORDS);

        Run again = run("", "migrate", "orders", "--data", dir.toString(), "--to-kafka", kafka.bootstrapServers());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.out()).contains("0 records copied by this run").contains("no group to move");

        Run produce = run("k1\tlate\n", "produce", "orders", "--data", dir.toString());
        assertThat(produce.exit()).isEqualTo(2);
        assertThat(produce.err().strip())
                .contains("sealed")
                .contains("moved to Kafka topic 'orders'")
                .doesNotContain("\n\tat ");
    }

    @Test
    void aBadPartitionCountIsOneLineNamingIt() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            log.createTopic("orders", TopicSpec.partitions(3));
        }
        Run migrate = run(
                "",
                "migrate",
                "orders",
                "--data",
                dir.toString(),
                "--to-kafka",
                kafka.bootstrapServers(),
                "--partitions",
                "0");
        assertThat(migrate.exit()).isEqualTo(2);
        assertThat(migrate.err().strip()).isEqualTo("ordo migrate: partitions must be in [1, 10000], was 0");
    }

    @Test
    void aKafkaTopicIsRepartitionedIntoFewerPartitionsWithItsGroupsOffsets() throws Exception {
        String servers = kafka.bootstrapServers();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
            admin.createTopics(List.of(new NewTopic("wide", 6, (short) 1)))
                    .all()
                    .get();
        }
        try (RecordProducer<String, String> producer = KafkaOrdoProducer.builder(
                        servers, "wide", Serdes.string(), Serdes.string())
                .build()) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send("k" + (i % KEYS), Integer.toString(i / KEYS));
            }
            producer.flush();
        }
        try (RecordConsumer done = KafkaOrdoConsumer.builder(servers, "wide", Serdes.string(), Serdes.string())
                .group("wide-done")
                .handler(r -> {})
                .start()) {
            assertThat(done.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();
        }

        Run missing = run("", "migrate", "wide", "--from-kafka", servers, "--partitions", "2");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err().strip())
                .isEqualTo("ordo migrate: --from-kafka needs --target-topic and --partitions:"
                        + " Kafka cannot re-partition a topic in place");

        Run repartition =
                run("", "migrate", "wide", "--from-kafka", servers, "--target-topic", "narrow", "--partitions", "2");
        assertThat(repartition.exit()).as(repartition.err()).isZero();
        assertThat(repartition.out())
                .contains("topic wide copied to Kafka topic narrow (2 partitions)")
                .contains(RECORDS + " records copied")
                .contains("group wide-done continues on Kafka at");
        Map<String, List<Integer>> keys = new ConcurrentHashMap<>();
        try (RecordConsumer all = KafkaOrdoConsumer.builder(servers, "narrow", Serdes.string(), Serdes.string())
                .group("narrow-reader")
                .handler((OrdoRecord<String, String> r) -> keys.computeIfAbsent(
                                r.key(), k -> Collections.synchronizedList(new ArrayList<>()))
                        .add(Integer.parseInt(r.value())))
                .start()) {
            assertThat(all.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();
        }
        assertThat(keys).hasSize(KEYS);
        keys.forEach((key, values) -> assertThat(values)
                .as("key %s in order", key)
                .hasSize(RECORDS / KEYS)
                .isSorted());
    }

    @Test
    void aKafkaTopicIsBroughtIntoADataDirectoryWithItsGroupsPositions() throws Exception {
        String servers = kafka.bootstrapServers();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
            admin.createTopics(List.of(new NewTopic("prod", 3, (short) 1)))
                    .all()
                    .get();
        }
        try (RecordProducer<String, String> producer = KafkaOrdoProducer.builder(
                        servers, "prod", Serdes.string(), Serdes.string())
                .build()) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send("k" + (i % KEYS), Integer.toString(i / KEYS));
            }
            producer.flush();
        }
        try (RecordConsumer done = KafkaOrdoConsumer.builder(servers, "prod", Serdes.string(), Serdes.string())
                .group("prod-done")
                .handler(r -> {})
                .start()) {
            assertThat(done.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();
        }
        Path local = dir.resolve("local");

        Run both = run(
                "", "migrate", "prod", "--from-kafka", servers, "--to-data", local.toString(), "--to-kafka", servers);
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err().strip())
                .isEqualTo("ordo migrate: --to-kafka and --to-data exclude each other: the topic moves to one");
        Run bringBack = run("", "migrate", "prod", "--from-kafka", servers, "--to-data", local.toString());

        assertThat(bringBack.exit()).as(bringBack.err()).isZero();
        assertThat(bringBack.out())
                .contains("topic prod copied to embedded topic prod (3 partitions) and fenced")
                .contains(RECORDS + " records copied")
                .contains("group prod-done continues on the embedded engine at");
        Run again = run("", "migrate", "prod", "--from-kafka", servers, "--to-data", local.toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.out()).contains("0 records copied by this run").contains("no group to move");
        try (EmbeddedLog log = EmbeddedLog.open(local)) {
            Map<String, List<Integer>> keys = new ConcurrentHashMap<>();
            AtomicInteger handledAgain = new AtomicInteger();
            try (RecordConsumer done = OrdoConsumer.builder(log, "prod")
                            .group("prod-done")
                            .handler(r -> handledAgain.incrementAndGet())
                            .start();
                    RecordConsumer all = OrdoConsumer.builder(log, "prod", Serdes.string(), Serdes.string())
                            .group("reader")
                            .handler((OrdoRecord<String, String> r) -> keys.computeIfAbsent(
                                            r.key(), k -> Collections.synchronizedList(new ArrayList<>()))
                                    .add(Integer.parseInt(r.value())))
                            .start()) {
                assertThat(done.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
                assertThat(all.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            }
            assertThat(handledAgain)
                    .as("the group goes on where it stood on Kafka")
                    .hasValue(0);
            assertThat(keys).hasSize(KEYS);
            keys.forEach((key, values) -> assertThat(values)
                    .as("key %s in order", key)
                    .hasSize(RECORDS / KEYS)
                    .isSorted());
        }
    }

    /** What group {@code group} handles on Kafka topic {@code orders} until caught up, per key in order. */
    private static Map<String, List<Integer>> handledAfterMove(String group) throws InterruptedException {
        Map<String, List<Integer>> handled = new ConcurrentHashMap<>();
        try (RecordConsumer consumer = KafkaOrdoConsumer.builder(
                        kafka.bootstrapServers(), "orders", Serdes.string(), Serdes.string())
                .group(group)
                .handler((OrdoRecord<String, String> r) -> handled.computeIfAbsent(
                                r.key(), k -> Collections.synchronizedList(new ArrayList<>()))
                        .add(Integer.parseInt(r.value())))
                .start()) {
            assertThat(consumer.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
        }
        return handled;
    }
}
