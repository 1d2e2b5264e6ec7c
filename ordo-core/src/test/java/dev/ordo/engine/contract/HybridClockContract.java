package dev.ordo.engine.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ordo.causal.HybridLogicalClock;
import dev.ordo.causal.HybridTimestamp;
import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.Deserializer;
import dev.ordo.engine.HybridClockHandler;
import dev.ordo.engine.OrdoHeaders;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.engine.TimestampAnomaly;
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
 * are two clocks over injected physical time in one JVM; the records travel through the engine. Total
 * order on top of it is {@link TotalOrderContract}'s.
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
}
