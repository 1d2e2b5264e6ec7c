package dev.ordo.log.storage;

import static dev.ordo.log.storage.PartitionLogTest.rec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ordo.engine.Serdes;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.SyncFailedException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failed force takes the partition offline for good ("fsyncgate"): on Linux a failed {@code fsync}
 * may drop the pages it could not write and the next one report success, so a log that retried would
 * acknowledge as durable records a power loss takes back, or move its recovery point past them.
 * Forces fail here through {@link UninterruptibleFile#forceFault}; each test clears the fault after
 * the first failure and checks that nothing is forced, acknowledged or read from then on.
 */
class ForceFailureTest {

    @TempDir
    Path dir;

    private final AtomicInteger injected = new AtomicInteger();

    /** Fails every force of a file {@code which} accepts, counting them, until {@link #heal()}. */
    private void failForces(Predicate<Path> which) {
        UninterruptibleFile.forceFault = path -> {
            if (!which.test(path)) {
                return null;
            }
            injected.incrementAndGet();
            return new SyncFailedException("injected EIO forcing " + path.getFileName());
        };
    }

    private static void heal() {
        UninterruptibleFile.forceFault = null;
    }

    @AfterEach
    void clearFault() {
        heal();
    }

    @Test
    void everyBatchRetryOfABatchWhoseForceFailedIsNotAcknowledged() throws Exception {
        RecordBatch.Producer producer = new RecordBatch.Producer(7, (short) 0, 0);
        try (PartitionLog log =
                PartitionLog.open(dir, new LogConfig(1 << 20, 4_096, 1 << 16, FsyncPolicy.everyBatch()))) {
            log.append(RecordBatch.Builder.of(List.of(rec("a"))), producer);
            RecordBatch.Builder b = RecordBatch.Builder.of(List.of(rec("b")));
            RecordBatch.Producer next = new RecordBatch.Producer(7, (short) 0, 1);

            failForces(path -> true);
            assertThatThrownBy(() -> log.append(b, next))
                    .isInstanceOf(LogOfflineException.class)
                    .hasRootCauseMessage("injected EIO forcing 00000000000000000000.log");
            heal();

            // The retry of "b" is a duplicate the log recognises; acknowledging it would need a force,
            // which may "succeed" now without the bytes the failed one lost.
            assertThatThrownBy(() -> log.append(b, next)).isInstanceOf(LogOfflineException.class);
            assertThatThrownBy(() -> log.append(List.of(rec("c")), RecordBatch.Producer.NONE))
                    .isInstanceOf(LogOfflineException.class);
            assertThatThrownBy(log::flush).isInstanceOf(LogOfflineException.class);
            assertThatThrownBy(() -> log.read(0, 1 << 16)).isInstanceOf(LogOfflineException.class);
            assertThat(log.durableOffset()).isEqualTo(1);
            assertThat(log.readableEnd()).isEqualTo(1);
            assertThat(log.offlineCause())
                    .get()
                    .extracting(Throwable::getMessage)
                    .isEqualTo("injected EIO forcing 00000000000000000000.log");
        }
        assertThat(injected).hasValue(1);
        try (PartitionLog reopened =
                PartitionLog.open(dir, new LogConfig(1 << 20, 4_096, 1 << 16, FsyncPolicy.everyBatch()))) {
            assertThat(reopened.offlineCause()).isEmpty();
            // "b" is still in the page cache here (a real lost write would be cut as a torn tail).
            assertThat(reopened.read(0, 1 << 16))
                    .extracting(PartitionLogTest::valueOf)
                    .startsWith("a");
            reopened.append(List.of(rec("d")), RecordBatch.Producer.NONE);
        }
    }

    @Test
    void aFailedIntervalForceStopsTheFlusherAndEveryLaterAppend() throws Exception {
        LogConfig config = new LogConfig(1 << 20, 4_096, 1 << 16, FsyncPolicy.interval(Duration.ofMillis(5)));
        AtomicInteger forces = new AtomicInteger();
        try (PartitionLog log = PartitionLog.open(dir, config)) {
            failForces(path -> true);
            log.append(List.of(rec("a")), RecordBatch.Producer.NONE);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> log.offlineCause().isPresent());
            heal();
            assertThatThrownBy(() -> log.append(List.of(rec("b")), RecordBatch.Producer.NONE))
                    .isInstanceOf(LogOfflineException.class)
                    .hasMessageContaining("offline");
            assertThatThrownBy(log::flush).isInstanceOf(LogOfflineException.class);
            // The flusher runs on every 5 ms but forces nothing (a force now could "succeed"), nor does close.
            UninterruptibleFile.forceFault = path -> {
                forces.incrementAndGet();
                return null;
            };
            await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(1)).until(() -> forces.get() == 0);
        }
        assertThat(forces).hasValue(0);
    }

    @Test
    void aFailedForceOfASealedSegmentKeepsTheRecoveryPointBeforeIt() throws Exception {
        LogConfig config = new LogConfig(4_096, 1_024, 1_024, FsyncPolicy.none());
        String first = "00000000000000000000.log";
        try (PartitionLog log = PartitionLog.open(dir, config)) {
            failForces(path -> path.getFileName().toString().equals(first));
            while (log.segmentCount() == 1) {
                log.append(List.of(rec("x".repeat(200))), RecordBatch.Producer.NONE);
            }
            // The roll hands the sealed segment to the background forcer, whose force fails.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> log.offlineCause().isPresent());
            heal();
            assertThatThrownBy(() -> log.append(List.of(rec("y")), RecordBatch.Producer.NONE))
                    .isInstanceOf(LogOfflineException.class);
            assertThat(log.recoveryPoint()).isZero();
        }
        // Closing did not force the segment again and move the recovery point past it: a restart
        // scans the segment, and cuts what the failed force may have lost.
        assertThat(RecoveryPointFile.read(dir)).isZero();
        try (PartitionLog reopened = PartitionLog.open(dir, config)) {
            assertThat(reopened.offlineCause()).isEmpty();
            assertThat(reopened.recoveryPoint()).isPositive(); // forced on open, then moved
        }
    }

    @Test
    void producersAndConsumersOfAnOfflinePartitionFailWithTheCause() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            log.createTopic("ledger", TopicSpec.partitions(1).fsync(FsyncPolicy.everyBatch()));
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            log.bindTo(registry);
            assertThat(registry.get("ordo.log.offline")
                            .tag("topic", "ledger")
                            .gauge()
                            .value())
                    .isZero();
            OrdoProducer<byte[], byte[]> producer =
                    OrdoProducer.builder(log, "ledger").build();
            producer.send(b("k"), b("1")).get(10, TimeUnit.SECONDS);
            AtomicInteger handled = new AtomicInteger();
            OrdoConsumer<String, String> consumer = OrdoConsumer.builder(
                            log, "ledger", Serdes.string(), Serdes.string())
                    .group("g")
                    .handler(r -> handled.incrementAndGet())
                    .start();
            await().atMost(Duration.ofSeconds(10)).until(() -> handled.get() == 1);

            failForces(path -> path.toString().endsWith(".log"));
            CompletableFuture<?> lost = producer.send(b("k"), b("2"));
            assertThatThrownBy(() -> lost.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(LogOfflineException.class);
            heal();
            CompletableFuture<?> later = producer.send(b("k"), b("3"));
            assertThatThrownBy(() -> later.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(LogOfflineException.class);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> consumer.failure().isPresent());
            assertThat(consumer.failure()).get().isInstanceOf(LogOfflineException.class);
            assertThat(log.offlineCause("ledger", 0))
                    .get()
                    .extracting(Throwable::getMessage)
                    .isEqualTo("injected EIO forcing 00000000000000000000.log");
            assertThat(registry.get("ordo.log.offline")
                            .tag("topic", "ledger")
                            .gauge()
                            .value())
                    .isEqualTo(1);
            assertThat(handled)
                    .as("nothing after the failed force reached the handler")
                    .hasValue(1);
            consumer.close();
            producer.close();
        }
    }

    @Test
    void anOpenThatFailsLeavesNoFileOpen() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "Linux only");
        LogConfig config = new LogConfig(4_096, 1_024, 1_024, FsyncPolicy.everyBatch());
        try (PartitionLog log = PartitionLog.open(dir, config)) {
            while (log.segmentCount() < 3) {
                log.append(List.of(rec("x".repeat(200))), RecordBatch.Producer.NONE);
            }
        }
        // Opening an every-batch log forces its active segment: that force fails, after every segment was opened.
        failForces(path -> path.getFileName().toString().endsWith(".log"));
        assertThatThrownBy(() -> PartitionLog.open(dir, config)).isInstanceOf(SyncFailedException.class);
        heal();
        assertThat(openFilesUnder(dir)).isEmpty();
        try (PartitionLog reopened = PartitionLog.open(dir, config)) {
            assertThat(reopened.segmentCount()).isEqualTo(3);
        }
    }

    /** The files under {@code root} this process has open (Linux). */
    private static List<Path> openFilesUnder(Path root) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(fd -> {
                        try {
                            return Files.readSymbolicLink(fd);
                        } catch (IOException e) {
                            return null; // closed meanwhile (the listing's own descriptor)
                        }
                    })
                    .filter(target -> target != null && target.startsWith(root))
                    .toList();
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
