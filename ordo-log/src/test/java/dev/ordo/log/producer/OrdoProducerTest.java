package dev.ordo.log.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.OrdoInterruptedException;
import dev.ordo.OverloadedException;
import dev.ordo.engine.Acknowledgement;
import dev.ordo.engine.Headers;
import dev.ordo.engine.OutgoingRecord;
import dev.ordo.engine.Serdes;
import dev.ordo.log.engine.ClientAccess;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicDescription;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.storage.FsyncPolicy;
import dev.ordo.log.storage.ProducerFencedException;
import dev.ordo.log.storage.Record;
import dev.ordo.log.storage.RecordBatch;
import dev.ordo.partition.Partitioner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrdoProducerTest {

    @TempDir
    Path data;

    @Test
    void concurrentSendersGetEveryRecordAppendedOnceInSendOrderPerKey() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("t", TopicSpec.partitions(4).fsync(FsyncPolicy.everyBatch()));
            int threads = 4;
            int perThread = 2_000;
            List<List<CompletableFuture<Acknowledgement>>> acks = new ArrayList<>();
            try (OrdoProducer<String, String> producer = OrdoProducer.builder(
                            log, "t", Serdes.string(), Serdes.string())
                    .build()) {
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<List<CompletableFuture<Acknowledgement>>>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    results.add(pool.submit(() -> {
                        start.await();
                        List<CompletableFuture<Acknowledgement>> mine = new ArrayList<>();
                        for (int i = 0; i < perThread; i++) {
                            mine.add(producer.send("key-" + thread + "-" + (i % 7), thread + ":" + i));
                        }
                        return mine;
                    }));
                }
                start.countDown();
                for (Future<List<CompletableFuture<Acknowledgement>>> r : results) {
                    acks.add(r.get());
                }
                pool.shutdown();
                producer.flush();
                assertThat(producer.recordsWritten()).isEqualTo((long) threads * perThread);
                // Concurrent senders share batches (each batch is one fsync here).
                assertThat(producer.batchesWritten()).isLessThan(producer.recordsWritten());
            }
            Map<String, Long> lastOffsetPerKey = new HashMap<>();
            Partitioner partitioner = Partitioner.kafkaDefault();
            for (int t = 0; t < threads; t++) {
                for (int i = 0; i < perThread; i++) {
                    Acknowledgement ack = acks.get(t).get(i).join();
                    String key = "key-" + t + "-" + (i % 7);
                    assertThat(ack.partition())
                            .isEqualTo(partitioner.partition(key.getBytes(StandardCharsets.UTF_8), 4));
                    Long previous = lastOffsetPerKey.put(key, ack.offset());
                    assertThat(previous == null || previous < ack.offset())
                            .as("send order of %s", key)
                            .isTrue();
                    Record stored =
                            log.read("t", ack.partition(), ack.offset(), 1).get(0);
                    assertThat(new String(stored.value(), StandardCharsets.UTF_8))
                            .isEqualTo(t + ":" + i);
                }
            }
            long total = log.describe("t").partitions().stream()
                    .mapToLong(TopicDescription.PartitionState::nextOffset)
                    .sum();
            assertThat(total).isEqualTo((long) threads * perThread);
        }
    }

    @Test
    void aBatchIsCutWhenFullAndAPartialOneWaitsForLingerOrClose() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("t", TopicSpec.partitions(1));
            // Ten records of a 1-byte key and a 4-byte value, as the log encodes them, fill a batch (with 5
            // bytes to spare for timestamp deltas that need a longer varint; an eleventh record needs 10).
            List<Record> ten = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ten.add(Record.of(System.currentTimeMillis(), "k".getBytes(), "0000".getBytes()));
            }
            OrdoProducer<String, String> producer = OrdoProducer.builder(log, "t", Serdes.string(), Serdes.string())
                    .linger(Duration.ofHours(1))
                    .batchBytes(RecordBatch.encode(0, RecordBatch.Producer.NONE, ten)
                                    .remaining()
                            + 5)
                    .build();
            List<CompletableFuture<Acknowledgement>> acks = new ArrayList<>();
            for (int i = 0; i < 105; i++) {
                acks.add(producer.send("k", String.format("%04d", i)));
            }
            acks.get(99).join(); // ten full batches go at once
            assertThat(producer.batchesWritten()).isEqualTo(10);
            assertThat(acks.get(100)).isNotDone(); // five records linger for an hour...
            producer.close(); // ...unless the producer closes
            assertThat(acks.get(104).join().offset()).isEqualTo(104);
            assertThat(producer.batchesWritten()).isEqualTo(11);
        }
    }

    @Test
    void closeRightAfterASendWritesTheLingeringBatchWhateverTheSenderWasDoing() throws Exception {
        // The sender must not take "closed" for "drained" while a batch lingers: closing while it
        // was between finding nothing ready and parking dropped the batch, and its future never completed.
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("t", TopicSpec.partitions(1));
            for (int i = 0; i < 2_000; i++) {
                OrdoProducer<String, String> producer = OrdoProducer.builder(log, "t", Serdes.string(), Serdes.string())
                        .idempotent(false)
                        .linger(Duration.ofNanos(1 + i % 50_000))
                        .build();
                producer.send("k", "first").join(); // the sender has written and comes round again
                CompletableFuture<Acknowledgement> ack = producer.send("k", "second");
                producer.close();
                assertThat(ack)
                        .as("round %d: acknowledged once close returned", i)
                        .isDone();
                assertThat(ack.join().offset()).isEqualTo(2L * i + 1);
            }
        }
    }

    @Test
    void aFullSendBufferSlowsOrRejectsTheSenderAndQueuesNothing() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("t", TopicSpec.partitions(1));
            long perRecord = 37 + OrdoProducer.HEAP_OVERHEAD_PER_RECORD; // 4-byte value, 1-byte key, record overhead
            try (OrdoProducer<String, String> producer = OrdoProducer.builder(
                            log, "t", Serdes.string(), Serdes.string())
                    .linger(Duration.ofHours(1))
                    .bufferBytes(3 * perRecord)
                    .maxBlock(Duration.ZERO)
                    .build()) {
                for (int i = 0; i < 3; i++) {
                    producer.send("k", String.format("%04d", i));
                }
                assertThatThrownBy(() -> producer.send("k", "0003"))
                        .isInstanceOf(OverloadedException.class)
                        .hasMessageContaining("send buffer of " + 3 * perRecord + " bytes");
                assertThatThrownBy(() -> producer.send("k", "x".repeat((int) (3 * perRecord))))
                        .as("a record that could never fit")
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("bufferBytes");
            }
            assertThat(log.describe("t").partitions().get(0).nextOffset()).isEqualTo(3);
        }
    }

    @Test
    void anInterruptedSendKeepsTheInterruptAndQueuesNothing() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("t", TopicSpec.partitions(1));
            long perRecord = 37 + OrdoProducer.HEAP_OVERHEAD_PER_RECORD;
            try (OrdoProducer<String, String> producer = OrdoProducer.builder(
                            log, "t", Serdes.string(), Serdes.string())
                    .linger(Duration.ofHours(1))
                    .bufferBytes(perRecord)
                    .build()) {
                producer.send("k", "0000");
                CompletableFuture<Throwable> outcome = new CompletableFuture<>();
                Thread sender = new Thread(() -> {
                    try {
                        producer.send("k", "0001"); // waits: the buffer holds one record
                        outcome.complete(null);
                    } catch (RuntimeException e) {
                        outcome.complete(
                                Thread.currentThread().isInterrupted() ? e : new AssertionError("flag lost", e));
                    }
                });
                sender.start();
                await().atMost(Duration.ofSeconds(10)).until(() -> sender.getState() == Thread.State.TIMED_WAITING);
                sender.interrupt();
                assertThat(outcome.get(10, TimeUnit.SECONDS))
                        .isInstanceOf(OrdoInterruptedException.class)
                        .hasMessageContaining("interrupted while waiting for send buffer space");
            }
            assertThat(log.describe("t").partitions().get(0).nextOffset()).isEqualTo(1);
        }
    }

    @Test
    void sendsWaitingForBufferSpaceGoOnAsBatchesAreWrittenAndTheSpaceIsAllGivenBack() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("t", TopicSpec.partitions(2));
            long perRecord = 37 + OrdoProducer.HEAP_OVERHEAD_PER_RECORD;
            int threads = 3;
            int perThread = 1_000;
            // Room for 3 records among 3 sending threads: most sends wait for the sender to give space back.
            try (OrdoProducer<String, String> producer = OrdoProducer.builder(
                            log, "t", Serdes.string(), Serdes.string())
                    .bufferBytes(3 * perRecord)
                    .build()) {
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                List<Future<List<CompletableFuture<Acknowledgement>>>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    results.add(pool.submit(() -> {
                        List<CompletableFuture<Acknowledgement>> mine = new ArrayList<>();
                        for (int i = 0; i < perThread; i++) {
                            mine.add(producer.send("k" + thread, String.format("%04d", i)));
                        }
                        return mine;
                    }));
                }
                List<Acknowledgement> acked = new ArrayList<>();
                for (Future<List<CompletableFuture<Acknowledgement>>> r : results) {
                    for (CompletableFuture<Acknowledgement> f : r.get()) {
                        acked.add(f.join());
                    }
                }
                pool.shutdown();
                assertThat(acked)
                        .hasSize(threads * perThread)
                        .extracting(a -> a.partition() + ":" + a.offset())
                        .doesNotHaveDuplicates();
                producer.flush();
                assertThat(producer.bufferInUse()).as("space given back").isZero();
            }
        }
    }

    @Test
    void writtenBatchBuffersAreReusedForEveryPartition() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            int partitions = 8;
            log.createTopic("t", TopicSpec.partitions(partitions));
            try (OrdoProducer<byte[], byte[]> producer =
                    OrdoProducer.builder(log, "t").idempotent(false).build()) {
                byte[][] keys = new byte[partitions][];
                for (int k = 0, found = 0; found < partitions; k++) { // one key per partition
                    byte[] key = ("key-" + k).getBytes(StandardCharsets.UTF_8);
                    int p = Partitioner.kafkaDefault().partition(key, partitions);
                    if (keys[p] == null) {
                        keys[p] = key;
                        found++;
                    }
                }
                int rounds = 200;
                for (int round = 0; round < rounds; round++) { // a batch per partition per round
                    for (byte[] key : keys) {
                        producer.send(key, new byte[100]);
                    }
                    producer.flush();
                }
                // Two pooled buffers per partition at most, and a round needs one per partition: after
                // the first rounds (and a few more when a batch outgrows its pooled buffer) none is new.
                assertThat(producer.buffersAllocated()).isLessThan(4L * partitions);
            }
        }
    }

    @Test
    void aNewInstanceOfANamedProducerFencesTheOldOneAlsoAfterARestart() throws Exception {
        long id;
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("t", TopicSpec.partitions(2));
            OrdoProducer<String, String> zombie = OrdoProducer.builder(log, "t", Serdes.string(), Serdes.string())
                    .name("teller-1")
                    .build();
            zombie.send("a", "1").join();
            try (OrdoProducer<String, String> current = OrdoProducer.builder(log, "t", Serdes.string(), Serdes.string())
                    .name("teller-1")
                    .build()) {
                assertThat(current.producerId()).isEqualTo(zombie.producerId());
                assertThat(current.epoch()).isEqualTo((short) 1);
                // The zombie is fenced on every partition, also one the new instance never wrote to.
                assertThatThrownBy(() -> zombie.send("b", "2").join())
                        .isInstanceOf(CompletionException.class)
                        .hasCauseInstanceOf(ProducerFencedException.class);
                assertThatThrownBy(() -> zombie.send("a", "3").join())
                        .hasCauseInstanceOf(ProducerFencedException.class);
                current.send("a", "4").join();
            }
            zombie.close();
            id = zombie.producerId();
        }
        try (EmbeddedLog log = EmbeddedLog.open(data);
                OrdoProducer<String, String> again = OrdoProducer.builder(log, "t", Serdes.string(), Serdes.string())
                        .name("teller-1")
                        .build();
                OrdoProducer<String, String> anonymous = OrdoProducer.builder(
                                log, "t", Serdes.string(), Serdes.string())
                        .build()) {
            assertThat(again.producerId()).isEqualTo(id);
            assertThat(again.epoch()).isEqualTo((short) 2);
            assertThat(anonymous.producerId()).isNotEqualTo(id);
            again.send("a", "5").join();
            List<String> values = new ArrayList<>();
            int partition = Partitioner.kafkaDefault().partition("a".getBytes(StandardCharsets.UTF_8), 2);
            for (Record r : log.read("t", partition, 0, 1 << 20)) {
                values.add(new String(r.value(), StandardCharsets.UTF_8));
            }
            assertThat(values).containsExactly("1", "4", "5");
        }
    }

    @Test
    void badInputGetsAClearErrorNamingTheValue() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("t", TopicSpec.partitions(1));
            assertThatThrownBy(() -> OrdoProducer.builder(log, "missing", Serdes.string(), Serdes.string())
                            .build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'missing' does not exist");
            assertThatThrownBy(() -> OrdoProducer.builder(log, "t", Serdes.string(), Serdes.string())
                            .name("no spaces"))
                    .hasMessageContaining("'no spaces'");
            assertThatThrownBy(() -> OrdoProducer.builder(log, "t", Serdes.string(), Serdes.string())
                            .linger(Duration.ofMillis(-1)))
                    .hasMessageContaining("linger must be >= 0, was PT-0.001S");
            OrdoProducer<String, String> producer = OrdoProducer.builder(log, "t", Serdes.string(), Serdes.string())
                    .build();
            assertThatThrownBy(() -> producer.send("k", "x".repeat(2 << 20)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("exceeds the largest record");
            producer.close();
            assertThatThrownBy(() -> producer.send("k", "v"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is closed");
            assertThat(log.describe("t").partitions().get(0).nextOffset()).isZero();
        }
    }

    @Test
    void aCustomPartitionerHeadersAndTimestampTravelWithTheRecord() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("t", TopicSpec.partitions(3));
            try (OrdoProducer<String, String> producer = OrdoProducer.builder(
                            log, "t", Serdes.string(), Serdes.string())
                    .partitioner((key, partitions) -> partitions - 1)
                    .build()) {
                Acknowledgement ack = producer.send(OutgoingRecord.of("k", "v")
                                .withHeaders(Headers.empty().with("trace", "abc"))
                                .withTimestamp(1_234))
                        .join();
                assertThat(ack.partition()).isEqualTo(2);
                Record stored = log.read("t", 2, ack.offset(), 1).get(0);
                assertThat(stored.timestamp()).isEqualTo(1_234);
                assertThat(stored.headers())
                        .singleElement()
                        .satisfies(h -> assertThat(new String(h.value(), StandardCharsets.UTF_8))
                                .isEqualTo("abc"));
            }
        }
    }

    /**
     * Under every-batch the sender appends a round of batches, then forces their partitions together:
     * a record's future must still complete only once its partition was forced past it (read on the
     * sender thread as the future completes), for every partition of the round.
     */
    @Test
    void underEveryBatchAFutureCompletesOnlyOnceItsPartitionIsForcedPastTheRecord() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("t", TopicSpec.partitions(8).fsync(FsyncPolicy.everyBatch()));
            List<CompletableFuture<long[]>> seen = new ArrayList<>(); // offset, durable offset at completion
            try (OrdoProducer<String, String> producer = OrdoProducer.builder(
                            log, "t", Serdes.string(), Serdes.string())
                    .build()) {
                for (int i = 0; i < 2_000; i++) {
                    seen.add(producer.send("key-" + i, "v" + i).thenApply(ack -> new long[] {
                        ack.offset(),
                        ClientAccess.partition(log, "t", ack.partition()).durableOffset()
                    }));
                }
            }
            for (CompletableFuture<long[]> s : seen) {
                long[] offsets = s.get();
                assertThat(offsets[1])
                        .as("durable offset when offset " + offsets[0] + " was acknowledged")
                        .isGreaterThan(offsets[0]);
            }
            for (int p = 0; p < 8; p++) {
                assertThat(ClientAccess.partition(log, "t", p).fsyncCount())
                        .as("forces of partition " + p)
                        .isPositive();
            }
        }
    }
}
