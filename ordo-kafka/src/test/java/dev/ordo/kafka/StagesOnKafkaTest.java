package dev.ordo.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.causal.CausalDeliveryBuffer;
import dev.ordo.causal.VectorClock;
import dev.ordo.check.Anomaly;
import dev.ordo.check.CausalDelivery;
import dev.ordo.check.CheckReport;
import dev.ordo.check.History;
import dev.ordo.check.Message;
import dev.ordo.check.OrderingChecker;
import dev.ordo.engine.Headers;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.OrdoHeaders;
import dev.ordo.engine.OutgoingRecord;
import dev.ordo.engine.Serdes;
import dev.ordo.partition.Partitioner;
import dev.ordo.sequence.Resequencer;
import dev.ordo.time.EventTimeReorderer;
import dev.ordo.time.WatermarkStrategy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * ordo-core's ordering stages on top of a {@link KafkaOrdoConsumer}, fed by {@link OrdoHeaders}
 * and record timestamps: each restores an order that consuming several partitions at once loses.
 */
class StagesOnKafkaTest {

    private static KafkaOrdoProducer<String, String> producer(String topic) {
        return KafkaOrdoProducer.builder(KafkaBroker.bootstrapServers(), topic, Serdes.string(), Serdes.string())
                .build();
    }

    @Test
    void aResequencerRestoresEachSourcesOrderAcrossPartitions() throws Exception {
        String topic = "stages-sequence";
        KafkaBroker.createTopic(topic, 4);
        History arrived = new History();
        History released = new History();
        int perSource = 1_000;
        try (KafkaOrdoProducer<String, String> producer = producer(topic)) {
            for (int i = 0; i < perSource; i++) {
                for (String source : List.of("s1", "s2", "s3")) {
                    String id = source + ":" + i;
                    arrived.sent(new Message(source, source, i, id));
                    released.sent(new Message(source, source, i, id));
                    // Keyed by record, so each source's records spread over every partition.
                    producer.send(OutgoingRecord.of("r" + i, id).withHeaders(OrdoHeaders.sequenced(source, i)));
                }
            }
            producer.flush();
        }
        Resequencer<String, String> resequencer = Resequencer.<String, String>builder()
                .maxBuffered(10_000)
                .build((source, sequence, id) -> released.received(new Message(source, source, sequence, id)));
        AtomicInteger handled = new AtomicInteger();
        KafkaOrdoConsumer<String, String> consumer = KafkaOrdoConsumer.builder(
                        KafkaBroker.bootstrapServers(), topic, Serdes.string(), Serdes.string())
                .group("seq")
                .ordering(Ordering.UNORDERED)
                .concurrency(8)
                .handler(r -> {
                    OrdoHeaders h = OrdoHeaders.of(r.headers());
                    arrived.received(new Message(h.source(), h.source(), h.sequence(), r.value()));
                    resequencer.offer(h.source(), h.sequence(), r.value());
                    handled.incrementAndGet();
                })
                .start();
        await().atMost(Duration.ofSeconds(30)).until(() -> handled.get() == 3 * perSource);
        consumer.close();

        assertThat(arrived.check().count(Anomaly.REORDERED))
                .as("partitions read side by side mix each source up")
                .isPositive();
        CheckReport report = released.check();
        assertThat(report.isClean()).as(report.summary()).isTrue();
        assertThat(report.received()).isEqualTo(3 * perSource);
    }

    @Test
    void anEventTimeReordererReleasesReadingsOfAllSensorsInEventTimeOrder() throws Exception {
        String topic = "stages-time";
        KafkaBroker.createTopic(topic, 3);
        List<String> sensors = List.of("sensor-a", "sensor-b", "sensor-c");
        int perSensor = 500;
        long start = 1_700_000_000_000L;
        Random random = new Random(7);
        try (KafkaOrdoProducer<String, String> producer = producer(topic)) {
            for (int i = 0; i < perSensor; i++) {
                for (String sensor : sensors) {
                    long eventTime = start + i * 10L + random.nextInt(50); // each sensor a little out of order
                    producer.send(OutgoingRecord.of(sensor, sensor + ":" + i)
                            .withHeaders(OrdoHeaders.sequenced(sensor, i))
                            .withTimestamp(eventTime));
                }
            }
            producer.flush();
        }
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        List<Long> released = new CopyOnWriteArrayList<>();
        EventTimeReorderer<String, String> reorderer = EventTimeReorderer.<String, String>builder()
                .watermarks(WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofMillis(100)))
                .sources(sensors)
                .maxBuffered(10_000)
                .build(event -> released.add(event.timestamp()));
        AtomicInteger handled = new AtomicInteger();
        KafkaOrdoConsumer<String, String> consumer = KafkaOrdoConsumer.builder(
                        KafkaBroker.bootstrapServers(), topic, Serdes.string(), Serdes.string())
                .group("time")
                .ordering(Ordering.KEY)
                .concurrency(4)
                .handler(r -> {
                    arrivals.add(r.timestamp());
                    reorderer.offer(
                            OrdoHeaders.of(r.headers()).source(),
                            OrdoHeaders.of(r.headers()).sequence(),
                            r.timestamp(),
                            r.value());
                    handled.incrementAndGet();
                })
                .start();
        await().atMost(Duration.ofSeconds(30)).until(() -> handled.get() == sensors.size() * perSensor);
        consumer.close();
        reorderer.flush(); // end of input: release what the watermark still holds

        assertThat(arrivals)
                .as("the record timestamps are the event times sent")
                .hasSize(sensors.size() * perSensor)
                .isNotEqualTo(arrivals.stream().sorted().toList());
        assertThat(released).hasSize(sensors.size() * perSensor).isSorted();
    }

    @Test
    void aCausalBufferNeverDeliversAReplyBeforeWhatItAnswers() throws Exception {
        String topic = "stages-causal";
        KafkaBroker.createTopic(topic, 2);
        String bob = otherPartitionThan("alice", 2);
        int backlog = 3_000;
        int replies = 300;
        try (KafkaOrdoProducer<String, String> producer = producer(topic)) {
            VectorClock alice = VectorClock.empty();
            for (int i = 0; i < backlog + replies; i++) {
                alice = alice.increment("alice");
                producer.send(
                        OutgoingRecord.of("alice", "alice:" + (i + 1)).withHeaders(OrdoHeaders.causal("alice", alice)));
            }
            VectorClock bobs = VectorClock.of(Map.of("alice", (long) backlog));
            for (int j = 0; j < replies; j++) {
                // Bob has read alice's message backlog + j + 1 and answers it.
                bobs = bobs.merge(VectorClock.of(Map.of("alice", (long) backlog + j + 1)))
                        .increment("bob");
                producer.send(OutgoingRecord.of(bob, "bob:" + (j + 1)).withHeaders(OrdoHeaders.causal("bob", bobs)));
            }
            producer.flush();
        }
        List<CausalDelivery> arrived = new CopyOnWriteArrayList<>();
        List<CausalDelivery> delivered = new CopyOnWriteArrayList<>();
        CausalDeliveryBuffer<String> buffer = CausalDeliveryBuffer.<String>builder()
                .maxBuffered(10_000)
                .build((sender, clock, id) -> delivered.add(new CausalDelivery("reader", id, sender, clock)));
        AtomicInteger handled = new AtomicInteger();
        // Alice's partition waits for bob's first reply before its first record, so replies always
        // arrive before what they answer (how fast each partition is fetched and handled used to
        // decide that, and once in a while alice's whole backlog was handled first).
        CountDownLatch bobArrived = new CountDownLatch(1);
        KafkaOrdoConsumer<String, String> consumer = KafkaOrdoConsumer.builder(
                        KafkaBroker.bootstrapServers(), topic, Serdes.string(), Serdes.string())
                .group("causal")
                .ordering(Ordering.PARTITION)
                .concurrency(2)
                .handler(r -> {
                    OrdoHeaders h = OrdoHeaders.of(r.headers());
                    if ("bob".equals(h.source())) {
                        bobArrived.countDown();
                    } else {
                        awaitQuietly(bobArrived);
                    }
                    arrived.add(new CausalDelivery("reader", r.value(), h.source(), h.clock()));
                    buffer.offer(h.source(), h.clock(), r.value());
                    handled.incrementAndGet();
                })
                .start();
        await().atMost(Duration.ofSeconds(30)).until(() -> handled.get() == backlog + 2 * replies);
        consumer.close();

        assertThat(OrderingChecker.checkCausal(arrived).count(Anomaly.CAUSAL_VIOLATION))
                .as("bob's short partition is read before alice's backlog")
                .isPositive();
        CheckReport report = OrderingChecker.checkCausal(delivered);
        assertThat(report.isClean()).as(report.summary()).isTrue();
        assertThat(delivered).hasSize(backlog + 2 * replies);
    }

    @Test
    void badHeadersAreRefusedNamingTheField() {
        assertThatThrownBy(() -> OrdoHeaders.sequenced("s", -1))
                .hasMessageContaining("sequence")
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> OrdoHeaders.sequenced(null, 1)).hasMessageContaining("source");
        assertThatThrownBy(() -> OrdoHeaders.of(Headers.empty().with(OrdoHeaders.SEQUENCE, new byte[3])))
                .hasMessage("header ordo.seq must hold 8 bytes, was 3");
        assertThatThrownBy(() -> OutgoingRecord.of("k", "v").withTimestamp(-5))
                .hasMessageContaining("timestamp")
                .hasMessageContaining("-5");
        assertThatThrownBy(() -> OrdoHeaders.causal("a", VectorClock.empty().increment("b")))
                .hasMessageContaining("clock")
                .hasMessageContaining("'a'");
    }

    /** A key that Kafka places on another partition than {@code key} among {@code partitions}. */
    private static String otherPartitionThan(String key, int partitions) {
        Partitioner kafka = Partitioner.kafkaDefault();
        int taken = kafka.partition(key.getBytes(StandardCharsets.UTF_8), partitions);
        for (int i = 0; ; i++) {
            String candidate = "bob" + i;
            if (kafka.partition(candidate.getBytes(StandardCharsets.UTF_8), partitions) != taken) {
                return candidate;
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            assertThat(latch.await(30, TimeUnit.SECONDS))
                    .as("bob's first reply arrived")
                    .isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
