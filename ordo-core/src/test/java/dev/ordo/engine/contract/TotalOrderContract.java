package dev.ordo.engine.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ordo.causal.HybridLogicalClock;
import dev.ordo.check.Anomaly;
import dev.ordo.check.OrderingChecker;
import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.Deserializer;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.partition.Partitioner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Ordering#TOTAL} on every engine: three replicas, each a consumer process of its own group where
 * the engine lets processes share it (Kafka), else consumers of distinct groups in this JVM (the embedded
 * engine is one process per data directory), record the order they handle a topic in; the checker finds
 * no {@link Anomaly#TOTAL_ORDER_DISAGREEMENT} among them, and the same replicas without the merge do
 * disagree. Three producers with clocks up to 90 ms apart write three of the topic's four partitions; the
 * fourth hears only their heartbeats. One replica handles the records as they come, two hold their
 * handlers until all are written and then handle them as a backlog. Besides: heartbeats reach no handler,
 * and a consumer that cannot hold every partition stops saying why.
 */
public abstract class TotalOrderContract {

    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final int PARTITIONS = 4;
    private static final int IDLE_PARTITION = 3;
    private static final int RECORDS = 300;

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    /** One replica: a consumer that records the order it handles the topic in ({@link OrderRecorder}). */
    public interface Replica extends AutoCloseable {
        /**
         * Starts consuming (a replica's process may start before, so that its start-up costs no wait later);
         * a {@code held} replica handles nothing until {@link #release()}d.
         */
        void begin(boolean held) throws Exception;

        /** Lets a held replica handle what it has fetched and what comes. */
        void release() throws Exception;

        /** Returns once the replica holds its partitions, ready to handle what comes. */
        void awaitReady() throws Exception;

        /** Waits until it handled {@code records} records and returns its order, one {@code "value partition"} each. */
        List<String> awaitOrder(int records) throws Exception;
    }

    /** A new topic of {@code partitions} partitions, named after {@code name} and unique for the run. */
    protected abstract String createTopic(String name, int partitions) throws Exception;

    /** Gives {@code topic} more partitions. */
    protected abstract void growTopic(String topic, int partitions) throws Exception;

    /** A producer of text keys and values stamping with {@code clock} and sending heartbeats every {@code interval}. */
    protected abstract RecordProducer<String, String> producer(
            String topic, HybridLogicalClock clock, Duration interval);

    /**
     * Starts a replica that, once told to {@link Replica#begin}, consumes {@code topic} in {@code group} with
     * {@code ordering} (and {@code concurrency}, unless {@link Ordering#TOTAL}), recording its order in
     * {@code orderFile}.
     */
    protected abstract Replica startReplica(
            String topic, String group, Ordering ordering, int concurrency, Path orderFile) throws Exception;

    /** A consumer builder of {@code topic} in this JVM. */
    protected abstract <K, V> ConsumerBuilder<?, K, V> consumer(
            String topic, Deserializer<K> keys, Deserializer<V> values);

    /**
     * A replica in this JVM, for an engine whose processes cannot share it: {@code builder} (group and
     * ordering set) consumes into an {@link OrderRecorder} of {@code orderFile}.
     */
    protected static Replica inThisJvm(ConsumerBuilder<?, String, String> builder, Path orderFile) throws IOException {
        return new Replica() {
            private OrderRecorder recorder;
            private RecordConsumer consumer;

            @Override
            public void begin(boolean held) throws IOException {
                recorder = new OrderRecorder(orderFile, held);
                consumer = builder.handler(recorder).start();
            }

            @Override
            public void release() {
                recorder.release();
            }

            @Override
            public void awaitReady() throws InterruptedException {
                assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
            }

            @Override
            public List<String> awaitOrder(int records) throws Exception {
                recorder.await(records, WAIT);
                return OrderRecorder.read(orderFile);
            }

            @Override
            public void close() throws IOException {
                if (consumer != null) {
                    recorder.release(); // a handler waiting to be released would hold up the close
                    consumer.close();
                    recorder.close();
                }
            }
        };
    }

    protected static String uniqueName(String name) {
        return "total-" + name + "-" + NAMES.incrementAndGet();
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable c : List.copyOf(open)) {
            c.close();
        }
    }

    /** Closes {@code closeable} after the test, before whatever was given here earlier. */
    protected <T extends AutoCloseable> T closeLater(T closeable) {
        open.add(0, closeable);
        return closeable;
    }

    @Test
    void threeReplicasHandleEveryRecordOfAllPartitionsInOneIdenticalOrder() throws Exception {
        List<List<String>> orders = threeReplicas("agreed", Ordering.TOTAL, 1);
        for (List<String> order : orders) {
            assertThat(order).hasSize(RECORDS).doesNotHaveDuplicates().noneMatch(line -> line.startsWith("null"));
            assertThat(order)
                    .as("partition %d hears only heartbeats", IDLE_PARTITION)
                    .noneMatch(line -> line.endsWith(" " + IDLE_PARTITION));
        }
        for (int i = 1; i < orders.size(); i++) {
            assertThat(OrderingChecker.compareTotalOrder(orders.get(0), orders.get(i))
                            .count(Anomaly.TOTAL_ORDER_DISAGREEMENT))
                    .as("replica 0 (handling records as written) against replica %d (handling them afterwards)", i)
                    .isZero();
        }
        assertThat(orders.get(0))
                .as("placed by the producers' clocks, not as sent")
                .isNotEqualTo(sentOrder());
    }

    @Test
    void withoutTheMergeTheSameReplicasDisagree() throws Exception {
        List<List<String>> orders = threeReplicas("unmerged", Ordering.PARTITION, PARTITIONS);
        long disagreements = 0;
        for (int i = 1; i < orders.size(); i++) {
            disagreements += OrderingChecker.compareTotalOrder(orders.get(0), orders.get(i))
                    .count(Anomaly.TOTAL_ORDER_DISAGREEMENT);
        }
        assertThat(disagreements).isPositive();
    }

    @Test
    void heartbeatsReachNoHandler() throws Exception {
        String topic = createTopic("heartbeats", 2);
        RecordProducer<String, String> producer = closeLater(producer(topic, clock(0), Duration.ofMillis(5)));
        producer.send("a", "1");
        producer.send("b", "2");
        producer.flush();
        List<String> handled = new CopyOnWriteArrayList<>();
        RecordConsumer consumer = closeLater(consumer(topic, Serdes.string(), Serdes.string())
                .group(uniqueName("g"))
                .ordering(Ordering.KEY)
                .handler(r -> handled.add(r.value()))
                .start());
        await().atMost(WAIT).until(() -> consumer.stats().heartbeats() >= 4 && handled.size() >= 2);
        assertThat(handled).containsExactlyInAnyOrder("1", "2");
    }

    @Test
    void aProducersLastRecordsAreHandledOnceItCloses() throws Exception {
        String topic = createTopic("last", 3);
        List<String> handled = new CopyOnWriteArrayList<>();
        closeLater(consumer(topic, Serdes.string(), Serdes.string())
                .group(uniqueName("last"))
                .ordering(Ordering.TOTAL)
                .handler(r -> handled.add(r.value()))
                .start());
        try (RecordProducer<String, String> producer = producer(topic, clock(0), Duration.ofHours(1))) {
            for (int i = 0; i < 5; i++) {
                producer.send("key-" + i, "v" + i);
            }
        } // no heartbeat round in an hour: only the one it sends as it closes lets the last records pass
        await().atMost(WAIT).until(() -> handled.size() == 5);
        assertThat(handled).containsExactlyInAnyOrder("v0", "v1", "v2", "v3", "v4");
    }

    @Test
    void aSecondMemberInTheGroupStopsBothNamingTheGroup() throws Exception {
        String topic = createTopic("shared", 2);
        closeLater(producer(topic, clock(0), Duration.ofMillis(10)));
        String group = uniqueName("shared");
        RecordConsumer first = closeLater(totalOrder(topic, group));
        assertThat(first.awaitCaughtUp(WAIT)).isTrue();
        RecordConsumer second = closeLater(totalOrder(topic, group));
        await().atMost(WAIT)
                .until(() -> first.failure().isPresent() && second.failure().isPresent());
        assertThat(first.failure().get()).hasStackTraceContaining("group " + group);
        assertThat(second.failure().get()).hasStackTraceContaining("a group of its own");
    }

    @Test
    void aTopicThatGrowsStopsTheConsumerNamingTheNewPartition() throws Exception {
        String topic = createTopic("grows", 2);
        closeLater(producer(topic, clock(0), Duration.ofMillis(10)));
        RecordConsumer consumer = closeLater(totalOrder(topic, uniqueName("grows")));
        assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
        growTopic(topic, 3);
        await().atMost(WAIT).until(() -> consumer.failure().isPresent());
        assertThat(consumer.failure().get())
                .hasStackTraceContaining("partition 2 of " + topic
                        + " was assigned, but Ordering.TOTAL merges the 2 partitions the topic had");
    }

    private RecordConsumer totalOrder(String topic, String group) {
        return consumer(topic, Serdes.string(), Serdes.string())
                .group(group)
                .ordering(Ordering.TOTAL)
                .handler(r -> {})
                .start();
    }

    /**
     * Three producers, one on time, one 60 ms behind, one 30 ms ahead, write {@link #RECORDS} records to
     * partitions 0 to 2, each sending heartbeats every 20 ms; replica 0 handles them as they are written,
     * replicas 1 and 2 once all are. Returns the three orders.
     */
    private List<List<String>> threeReplicas(String name, Ordering ordering, int concurrency) throws Exception {
        String topic = createTopic(name, PARTITIONS);
        List<RecordProducer<String, String>> producers = new ArrayList<>();
        for (long skew : new long[] {0, -60, 30}) {
            producers.add(closeLater(producer(topic, clock(skew), Duration.ofMillis(20))));
        }
        List<Replica> replicas = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            replicas.add(closeLater(
                    startReplica(topic, uniqueName(name), ordering, concurrency, dir.resolve(Integer.toString(r)))));
        }
        for (int r = 0; r < 3; r++) {
            replicas.get(r).begin(r > 0);
        }
        for (Replica replica : replicas) {
            replica.awaitReady();
        }
        List<String> keys = keysOutside(IDLE_PARTITION);
        for (int i = 0; i < RECORDS; i++) {
            producers.get(i % producers.size()).send(keys.get(i % keys.size()), "r" + i);
            if (i % 50 == 49) { // spread over time, so that replica 0 handles them in parts
                producers.forEach(RecordProducer::flush);
            }
        }
        producers.forEach(RecordProducer::flush);
        replicas.get(1).release();
        replicas.get(2).release();
        List<List<String>> orders = new ArrayList<>();
        for (Replica replica : replicas) {
            orders.add(replica.awaitOrder(RECORDS));
        }
        return orders;
    }

    private static List<String> sentOrder() {
        List<String> keys = keysOutside(IDLE_PARTITION);
        Partitioner partitioner = Partitioner.kafkaDefault();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            sent.add("r" + i + " "
                    + partitioner.partition(keys.get(i % keys.size()).getBytes(StandardCharsets.UTF_8), PARTITIONS));
        }
        return sent;
    }

    /** Twelve keys that both engines place outside {@code partition} of a topic of {@link #PARTITIONS}. */
    private static List<String> keysOutside(int partition) {
        Partitioner partitioner = Partitioner.kafkaDefault();
        List<String> keys = new ArrayList<>();
        for (int k = 0; keys.size() < 12; k++) {
            String key = "key-" + k;
            if (partitioner.partition(key.getBytes(StandardCharsets.UTF_8), PARTITIONS) != partition) {
                keys.add(key);
            }
        }
        return keys;
    }

    /** A machine's clock {@code skewMillis} off the true time (drift bound 1 s). */
    private static HybridLogicalClock clock(long skewMillis) {
        LongSupplier physical = () -> System.currentTimeMillis() + skewMillis;
        return new HybridLogicalClock(physical, Duration.ofSeconds(1));
    }
}
