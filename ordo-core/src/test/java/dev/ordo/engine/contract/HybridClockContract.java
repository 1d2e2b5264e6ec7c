package dev.ordo.engine.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ordo.causal.HybridLogicalClock;
import dev.ordo.causal.HybridTimestamp;
import dev.ordo.check.Anomaly;
import dev.ordo.check.OrderingChecker;
import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.Deserializer;
import dev.ordo.engine.HybridClockHandler;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.OrdoHeaders;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.RecordHandler;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.engine.TimestampAnomaly;
import dev.ordo.engine.TotalOrderHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The timestamp oracle on every engine: producers stamp records with a hybrid logical clock, a
 * {@link HybridClockHandler} merges the stamps it receives, so what one machine sends after handling a
 * record sorts after it even when that machine's physical clock is far behind the sender's. Two "machines"
 * are two clocks over injected physical time in one JVM; the records travel through the engine. On top of
 * it, total order: consumers in separate groups (three in one JVM) with a {@link TotalOrderHandler} handle
 * a topic's records in one identical order.
 */
public abstract class HybridClockContract {

    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long NOW = 1_700_000_000_000L;
    private static final long FIVE_MINUTES = Duration.ofMinutes(5).toMillis();

    private final List<AutoCloseable> open = new ArrayList<>();

    /** A new topic of {@code partitions} partitions, named after {@code name} and unique for the run. */
    protected abstract String createTopic(String name, int partitions) throws Exception;

    /** A producer of text keys and values to {@code topic} stamping its records with {@code clock}. */
    protected abstract RecordProducer<String, String> producer(String topic, HybridLogicalClock clock);

    /** As {@link #producer}, also sending heartbeats to idle partitions every {@code interval}. */
    protected abstract RecordProducer<String, String> heartbeatingProducer(
            String topic, HybridLogicalClock clock, Duration interval);

    /** A consumer builder of {@code topic} with these deserializers. */
    protected abstract <K, V> ConsumerBuilder<?, K, V> consumer(
            String topic, Deserializer<K> keys, Deserializer<V> values);

    protected static String uniqueName(String name) {
        return "hlc-" + name + "-" + NAMES.incrementAndGet();
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable c : List.copyOf(open)) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T closeable) {
        open.add(0, closeable);
        return closeable;
    }

    @Test
    void aReplySentAfterHandlingARequestCarriesALaterStampThoughItsMachineClockIsFarBehind() throws Exception {
        String requests = createTopic("requests", 2);
        String replies = createTopic("replies", 1);
        HybridLogicalClock machineA = new HybridLogicalClock(() -> NOW + FIVE_MINUTES, Duration.ofMinutes(10));
        HybridLogicalClock machineB = new HybridLogicalClock(() -> NOW, Duration.ofMinutes(10));
        try (RecordProducer<String, String> asking = producer(requests, machineA)) {
            for (int i = 0; i < 20; i++) {
                asking.send("k" + i, "question " + i);
            }
            asking.flush();
        }
        RecordProducer<String, String> answering = closeLater(producer(replies, machineB));
        RecordConsumer handlingOnB = closeLater(consumer(requests, Serdes.string(), Serdes.string())
                .group(uniqueName("b"))
                .handler(HybridClockHandler.merging(
                        machineB,
                        request -> answering.send(
                                request.key(),
                                Long.toString(OrdoHeaders.hybridTimestamp(request.headers())
                                        .pack()))))
                .start());
        assertThat(handlingOnB.awaitCaughtUp(WAIT)).isTrue();
        answering.flush();

        List<HybridTimestamp[]> requestAndReply = new CopyOnWriteArrayList<>();
        closeLater(consumer(replies, Serdes.string(), Serdes.string())
                .group(uniqueName("a"))
                .handler(reply -> requestAndReply.add(new HybridTimestamp[] {
                    HybridTimestamp.unpack(Long.parseLong(reply.value())), OrdoHeaders.hybridTimestamp(reply.headers())
                }))
                .start());
        await().atMost(WAIT).until(() -> requestAndReply.size() == 20);
        assertThat(requestAndReply)
                .allSatisfy(pair -> assertThat(pair[1])
                        .as("reply stamped after its request")
                        .isNotNull()
                        .isGreaterThan(pair[0]));
    }

    @Test
    void aStampBeyondTheDriftBoundIsReportedAndItsRecordStillHandled() throws Exception {
        String topic = createTopic("anomaly", 1);
        HybridLogicalClock fast = new HybridLogicalClock(() -> NOW + FIVE_MINUTES, Duration.ofSeconds(1));
        HybridLogicalClock local = new HybridLogicalClock(() -> NOW, Duration.ofSeconds(1));
        List<HybridTimestamp> sent = new ArrayList<>();
        try (RecordProducer<String, String> producer = producer(topic, fast)) {
            for (int i = 0; i < 5; i++) {
                producer.send("k", Integer.toString(i));
            }
            producer.flush();
        }
        List<String> handled = new CopyOnWriteArrayList<>();
        List<TimestampAnomaly> anomalies = new CopyOnWriteArrayList<>();
        RecordConsumer consumer = closeLater(consumer(topic, Serdes.string(), Serdes.string())
                .group(uniqueName("g"))
                .handler(HybridClockHandler.<String, String>merging(local, r -> {
                            handled.add(r.value());
                            sent.add(OrdoHeaders.hybridTimestamp(r.headers()));
                        })
                        .reportingTo(anomalies::add))
                .start());
        assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
        assertThat(handled).containsExactly("0", "1", "2", "3", "4");
        assertThat(anomalies).extracting(TimestampAnomaly::stamp).containsExactlyElementsOf(sent);
        assertThat(anomalies).allSatisfy(a -> assertThat(a.aheadMillis()).isEqualTo(FIVE_MINUTES));
        assertThat(local.now().physical())
                .as("the local clock stayed on local time")
                .isEqualTo(NOW);
    }

    @Test
    void consumersInSeparateGroupsHandleAllPartitionsInOneIdenticalOrder() throws Exception {
        List<List<String>> orders = consumeByThreeReplicas(true);
        assertThat(orders).allSatisfy(order -> assertThat(order).hasSize(400).doesNotHaveDuplicates());
        for (int i = 1; i < orders.size(); i++) {
            assertThat(OrderingChecker.compareTotalOrder(orders.get(0), orders.get(i))
                            .count(Anomaly.TOTAL_ORDER_DISAGREEMENT))
                    .as("replica 0 against replica " + i)
                    .isZero();
        }
    }

    /** Two producers on clocks 40 ms apart write 400 records over 3 partitions; three replicas read them all. */
    private List<List<String>> consumeByThreeReplicas(boolean totalOrder) throws Exception {
        String topic = createTopic(totalOrder ? "total" : "unmerged", 3);
        HybridLogicalClock machineA = new HybridLogicalClock(System::currentTimeMillis, Duration.ofSeconds(1));
        HybridLogicalClock machineB =
                new HybridLogicalClock(() -> System.currentTimeMillis() - 40, Duration.ofSeconds(1));
        RecordProducer<String, String> a = closeLater(heartbeatingProducer(topic, machineA, Duration.ofMillis(20)));
        RecordProducer<String, String> b = closeLater(heartbeatingProducer(topic, machineB, Duration.ofMillis(20)));
        for (int i = 0; i < 200; i++) {
            a.send("a" + i % 7, "A-" + i);
            b.send("b" + i % 5, "B-" + i);
        }
        a.flush();
        b.flush();
        List<List<String>> orders = new ArrayList<>();
        for (int replica = 0; replica < 3; replica++) {
            List<String> order = new CopyOnWriteArrayList<>();
            orders.add(order);
            RecordHandler<String, String> record = r -> {
                if (r.value() != null) { // heartbeats reach a consumer without the total order
                    order.add(r.value());
                }
            };
            TotalOrderHandler<String, String> inOrder = TotalOrderHandler.of(3, record);
            closeLater(consumer(topic, Serdes.string(), Serdes.string())
                    .group(uniqueName("replica"))
                    .ordering(Ordering.PARTITION)
                    .concurrency(3)
                    .handler(totalOrder ? inOrder : record)
                    .start());
            closeLater(inOrder); // closed before its consumer: wakes a record waiting for its turn
        }
        await().atMost(WAIT).until(() -> orders.stream().allMatch(o -> o.size() == 400));
        return orders;
    }
}
