package dev.ordo.log.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.engine.Acknowledgement;
import dev.ordo.engine.Header;
import dev.ordo.engine.Headers;
import dev.ordo.engine.OutgoingRecord;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicDescription;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.storage.Directories;
import dev.ordo.log.storage.Record;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Whatever the mix of record sizes, headers and batch limits, the producer's batches (encoded as
 * records are sent, into buffers that grow and are reused from earlier batches) hold exactly what
 * was sent: every record is read back at its acknowledged offset with its key, value and headers,
 * in send order per partition. A reused buffer that kept bytes of an earlier batch, or a batch cut
 * in the wrong place, fails this.
 */
class ProducerBatchingProperties {

    @Property(tries = 40)
    void everySentRecordIsReadBackAtItsAcknowledgedOffset(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 600) int records,
            @ForAll @IntRange(min = 100, max = 40_000) int batchBytes,
            @ForAll @IntRange(min = 0, max = 2) int lingerMillis)
            throws Exception {
        Random random = new Random(seed);
        Path dir = Files.createTempDirectory("producer-props");
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            log.createTopic("t", TopicSpec.partitions(3));
            List<Record> sent = new ArrayList<>();
            List<CompletableFuture<Acknowledgement>> acks = new ArrayList<>();
            try (OrdoProducer<byte[], byte[]> producer = OrdoProducer.builder(log, "t")
                    .batchBytes(batchBytes)
                    .linger(Duration.ofMillis(lingerMillis))
                    .build()) {
                for (int i = 0; i < records; i++) {
                    byte[] key = random.nextInt(10) == 0
                            ? null
                            : ("k" + random.nextInt(20)).getBytes(StandardCharsets.UTF_8);
                    // Mostly small values, now and then one that makes a batch grow (or fills one alone).
                    int valueBytes = random.nextInt(15) == 0 ? random.nextInt(batchBytes) : random.nextInt(200);
                    byte[] value = random.nextInt(20) == 0 ? null : bytes(random, valueBytes);
                    List<Header> headers = new ArrayList<>();
                    for (int h = random.nextInt(3) == 0 ? random.nextInt(3) : 0; h > 0; h--) {
                        headers.add(
                                new Header("h" + h, random.nextBoolean() ? null : bytes(random, random.nextInt(40))));
                    }
                    sent.add(new Record(-1, 0, key, value, headers));
                    acks.add(producer.send(OutgoingRecord.of(key, value).withHeaders(Headers.of(headers))));
                }
            }
            long[] lastOffset = {-1, -1, -1};
            for (int i = 0; i < records; i++) {
                Acknowledgement ack = acks.get(i).join();
                assertThat(ack.offset())
                        .as("send order in partition %d", ack.partition())
                        .isGreaterThan(lastOffset[ack.partition()]);
                lastOffset[ack.partition()] = ack.offset();
                Record stored = log.read("t", ack.partition(), ack.offset(), 1).get(0);
                Record expected = sent.get(i);
                assertThat(stored.offset()).isEqualTo(ack.offset());
                assertThat(stored.key()).as("key of record %d", i).isEqualTo(expected.key());
                assertThat(stored.value()).as("value of record %d", i).isEqualTo(expected.value());
                assertThat(stored.headers()).as("headers of record %d", i).isEqualTo(expected.headers());
            }
            long total = log.describe("t").partitions().stream()
                    .mapToLong(TopicDescription.PartitionState::nextOffset)
                    .sum();
            assertThat(total).as("nothing written twice or lost").isEqualTo(records);
        } finally {
            Directories.deleteRecursively(dir);
        }
    }

    private static byte[] bytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
