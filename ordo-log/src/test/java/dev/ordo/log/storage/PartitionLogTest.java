package dev.ordo.log.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.channels.ClosedByInterruptException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogTest {

    @TempDir
    Path dir;

    /** Appends records "v0".."v(total-1)" in batches of 1 to 5 (so batch boundaries vary). */
    private static void appendInBatchesOfOneToFive(PartitionLog log, int total) throws Exception {
        for (int i = 0; i < total; ) {
            List<Record> batch = new ArrayList<>();
            for (int n = 1 + i % 5; n > 0 && i < total; n--, i++) {
                batch.add(rec("v" + i));
            }
            log.append(batch, RecordBatch.Producer.NONE);
        }
    }

    static Record rec(String value) {
        return Record.of(
                1_000, ("k-" + value).getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }

    static String valueOf(Record r) {
        return new String(r.value(), StandardCharsets.UTF_8);
    }

    private static LogConfig small() {
        return new LogConfig(4_096, 256, 4_096, FsyncPolicy.none());
    }

    @Test
    void appendsGetConsecutiveOffsetsAndReadBackInOrder() throws Exception {
        try (PartitionLog log = PartitionLog.open(dir, small())) {
            assertThat(log.append(List.of(rec("a"), rec("b")), RecordBatch.Producer.NONE))
                    .isZero();
            assertThat(log.append(List.of(rec("c")), RecordBatch.Producer.NONE)).isEqualTo(2);
            assertThat(log.nextOffset()).isEqualTo(3);
            assertThat(log.read(0, 1 << 20))
                    .extracting(PartitionLogTest::valueOf)
                    .containsExactly("a", "b", "c");
            assertThat(log.read(1, 1 << 20)).extracting(Record::offset).containsExactly(1L, 2L);
            assertThat(log.read(3, 1 << 20)).isEmpty();
        }
    }

    @Test
    void rollsSegmentsAndReadsAcrossThemAfterReopening() throws Exception {
        List<String> written = new ArrayList<>();
        try (PartitionLog log = PartitionLog.open(dir, small())) {
            for (int i = 0; i < 500; i++) {
                log.append(List.of(rec("value-" + i)), RecordBatch.Producer.NONE);
                written.add("value-" + i);
            }
            assertThat(log.segmentCount()).isGreaterThan(5);
        }
        try (PartitionLog log = PartitionLog.open(dir, small())) {
            assertThat(log.truncatedOnOpen()).isZero();
            assertThat(log.nextOffset()).isEqualTo(500);
            List<String> read = new ArrayList<>();
            for (long next = 0; next < 500; ) {
                List<Record> chunk = log.read(next, 1_000);
                chunk.forEach(r -> read.add(valueOf(r)));
                next = chunk.get(chunk.size() - 1).offset() + 1;
            }
            assertThat(read).isEqualTo(written);
            assertThat(log.read(321, 1))
                    .first()
                    .extracting(PartitionLogTest::valueOf)
                    .isEqualTo("value-321");
            assertThat(log.append(List.of(rec("after")), RecordBatch.Producer.NONE))
                    .isEqualTo(500);
        }
    }

    @Test
    void everyBatchFsyncAndIntervalPoliciesAppendTheSameData() throws Exception {
        for (FsyncPolicy policy :
                List.of(FsyncPolicy.everyBatch(), FsyncPolicy.interval(Duration.ofMillis(5)), FsyncPolicy.none())) {
            Path d = dir.resolve(policy.getClass().getSimpleName());
            try (PartitionLog log = PartitionLog.open(d, small().withFsync(policy))) {
                log.append(List.of(rec("x"), rec("y")), RecordBatch.Producer.NONE);
            }
            try (PartitionLog log = PartitionLog.open(d, small())) {
                assertThat(log.read(0, 100))
                        .extracting(PartitionLogTest::valueOf)
                        .containsExactly("x", "y");
            }
        }
    }

    @Test
    void badInputIsRefusedAndNothingIsWritten() throws Exception {
        try (PartitionLog log = PartitionLog.open(dir, small())) {
            log.append(List.of(rec("a")), RecordBatch.Producer.NONE);
            assertThatThrownBy(() -> log.append(List.of(), RecordBatch.Producer.NONE))
                    .hasMessage("records must not be empty");
            byte[] huge = new byte[5_000];
            assertThatThrownBy(() -> log.append(List.of(Record.of(1, null, huge)), RecordBatch.Producer.NONE))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxBatchBytes is 4096");
            assertThatThrownBy(() -> log.read(-1, 10))
                    .hasMessage("fromOffset must be >= the log start offset 0, was -1");
            assertThatThrownBy(() -> log.read(0, 0)).hasMessage("maxBytes must be >= 1, was 0");
            assertThat(log.nextOffset()).isEqualTo(1);
        }
        PartitionLog closed = PartitionLog.open(dir, small());
        closed.close();
        assertThatThrownBy(() -> closed.append(List.of(rec("z")), RecordBatch.Producer.NONE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is closed");
        assertThatThrownBy(() -> new LogConfig(10, 1, 10, FsyncPolicy.none()))
                .hasMessageStartingWith("segmentBytes must be >= 56");
    }

    @Test
    void oneProcessOwnsADataDirectory() throws Exception {
        try (DataDirectory data = DataDirectory.open(dir)) {
            assertThatThrownBy(() -> DataDirectory.open(dir))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is in use by another Ordo instance");
            assertThatThrownBy(() -> data.partitionDirectory("bad/topic", 0))
                    .hasMessage("topic must be 1-249 characters of [a-zA-Z0-9._-], not '.' or '..', was 'bad/topic'");
            assertThatThrownBy(() -> data.partitionDirectory("ok", -1)).hasMessage("partition must be >= 0, was -1");
            try (PartitionLog log = PartitionLog.open(data.partitionDirectory("ledger", 3), small())) {
                log.append(List.of(rec("a")), RecordBatch.Producer.NONE);
            }
            assertThat(Files.exists(dir.resolve("ledger-3").resolve("00000000000000000000.log")))
                    .isTrue();
        }
        try (DataDirectory again = DataDirectory.open(dir)) {
            assertThat(again.root()).isEqualTo(dir);
        }
    }

    @Test
    void anAppendingThreadThatIsInterruptedLeavesThePartitionUsable() throws Exception {
        // A FileChannel is closed for good when a thread is interrupted inside it; the log's files are not.
        try (PartitionLog log = PartitionLog.open(dir, LogConfig.defaults().withFsync(FsyncPolicy.everyBatch()))) {
            List<Long> acknowledged = new CopyOnWriteArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread appender = new Thread(() -> {
                try {
                    for (int i = 0; i < 2_000; i++) {
                        acknowledged.add(log.append(List.of(rec("v" + i)), RecordBatch.Producer.NONE));
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            appender.start();
            while (appender.isAlive()) {
                appender.interrupt(); // again and again, landing inside writes and forces
                Thread.onSpinWait();
            }
            appender.join();
            assertThat(failure.get()).as("appends under interrupts").isNull();
            assertThat(acknowledged).hasSize(2_000);
            assertThat(log.append(List.of(rec("after")), RecordBatch.Producer.NONE))
                    .isEqualTo(2_000);
            assertThat(log.read(1_999, 1 << 16))
                    .extracting(PartitionLogTest::valueOf)
                    .containsExactly("v1999", "after");
        }
        try (PartitionLog reopened = PartitionLog.open(dir, LogConfig.defaults())) {
            assertThat(reopened.nextOffset()).isEqualTo(2_001);
        }
    }

    @Test
    void readersRacingAppendsAndSegmentRollsSeeEveryRecordOnceInOrder() throws Exception {
        // Readers decode outside the log's monitor: what they decode must still be exactly what was appended.
        try (PartitionLog log = PartitionLog.open(dir, small())) {
            int total = 3_000;
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(new Thread(() -> {
                    try {
                        long next = 0;
                        while (next < total) {
                            for (Record record : log.read(next, 1 + (int) (next % 700))) {
                                assertThat(record.offset()).isEqualTo(next);
                                assertThat(valueOf(record)).isEqualTo("v" + next);
                                next++;
                            }
                        }
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                }));
            }
            readers.forEach(Thread::start);
            appendInBatchesOfOneToFive(log, total);
            for (Thread reader : readers) {
                reader.join();
            }
            assertThat(failure.get()).as("a reader saw something else").isNull();
            assertThat(log.segmentCount()).as("segments rolled while reading").isGreaterThan(5);
        }
    }

    @Test
    void everyOffsetBelowTheLockFreeEndIsReadableAtOnce() throws Exception {
        // nextOffset() is read without the log's monitor (a consumer's check for news): it must never
        // run ahead of what a read can return, also while segments roll.
        try (PartitionLog log = PartitionLog.open(dir, small())) {
            int total = 3_000;
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong checks = new AtomicLong();
            Thread reader = new Thread(() -> {
                try {
                    long seen = 0;
                    while (seen < total) {
                        long end = log.nextOffset();
                        assertThat(end).as("the end never moves back").isGreaterThanOrEqualTo(seen);
                        if (end > 0) {
                            List<Record> last = log.read(end - 1, 1);
                            assertThat(last)
                                    .as("offset %d below the published end %d", end - 1, end)
                                    .isNotEmpty();
                            assertThat(last.get(0).offset()).isEqualTo(end - 1);
                            assertThat(valueOf(last.get(0))).isEqualTo("v" + (end - 1));
                            checks.incrementAndGet();
                        }
                        seen = end;
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            reader.start();
            appendInBatchesOfOneToFive(log, total);
            reader.join();
            assertThat(failure.get())
                    .as("a reader saw an end it could not read")
                    .isNull();
            assertThat(checks.get()).isPositive();
            assertThat(log.segmentCount()).as("segments rolled while reading").isGreaterThan(5);
        }
    }

    @Test
    void aReaderThatIsInterruptedFailsAloneAndLeavesTheFileReadable() throws Exception {
        // Reads use a positional channel, which an interrupt closes: only the interrupted read may
        // fail, and only with ClosedByInterruptException; other readers and the appender go on.
        try (PartitionLog log = PartitionLog.open(dir, small())) {
            int total = 2_000;
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicInteger interruptedReads = new AtomicInteger();
            AtomicBoolean done = new AtomicBoolean();
            Thread victim = new Thread(() -> {
                while (!done.get()) {
                    try {
                        long end = log.nextOffset();
                        for (Record record : log.read(Math.max(0, end - 50), 1 << 16)) {
                            assertThat(valueOf(record)).isEqualTo("v" + record.offset());
                        }
                    } catch (ClosedByInterruptException e) {
                        interruptedReads.incrementAndGet();
                        Thread.interrupted();
                    } catch (Throwable e) {
                        failure.set(e);
                        return;
                    }
                }
            });
            Thread bystander = new Thread(() -> {
                try {
                    for (long next = 0; next < total; ) {
                        for (Record record : log.read(next, 1 + (int) (next % 300))) {
                            assertThat(record.offset()).isEqualTo(next);
                            assertThat(valueOf(record)).isEqualTo("v" + next);
                            next++;
                        }
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            victim.start();
            bystander.start();
            for (int i = 0; i < total; i++) {
                log.append(List.of(rec("v" + i)), RecordBatch.Producer.NONE);
                victim.interrupt();
            }
            bystander.join();
            // Interrupt until at least one lands inside a read (each try waits for the victim to read again).
            while (interruptedReads.get() == 0 && failure.get() == null) {
                victim.interrupt();
                Thread.onSpinWait();
            }
            done.set(true);
            victim.join();
            assertThat(failure.get())
                    .as("a reader or the appender failed otherwise")
                    .isNull();
            assertThat(interruptedReads.get()).isPositive();
            assertThat(log.read(total - 1, 1 << 16))
                    .extracting(PartitionLogTest::valueOf)
                    .containsExactly("v" + (total - 1));
        }
    }

    @Test
    void readersRacingRetentionSeeTheRecordsOrTheNewStartNeverAClosedFile() throws Exception {
        // Retention deletes (and closes) segments while readers outside the monitor may be in them.
        LogConfig config =
                new LogConfig(1_024, 256, 1_024, FsyncPolicy.none()).withRetention(LogConfig.Retention.bytes(3_000));
        try (PartitionLog log = PartitionLog.open(dir, config)) {
            int total = 3_000;
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicInteger moved = new AtomicInteger();
            AtomicBoolean done = new AtomicBoolean();
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(new Thread(() -> {
                    while (!done.get()) {
                        long from = log.startOffset(); // the oldest segment: the next to be deleted
                        try {
                            for (Record record : log.read(from, 1 << 16)) {
                                assertThat(valueOf(record)).isEqualTo("v" + record.offset());
                            }
                        } catch (IllegalArgumentException e) {
                            moved.incrementAndGet(); // deleted before the read began: the caller moves on
                        } catch (Throwable e) {
                            failure.set(e);
                            return;
                        }
                    }
                }));
            }
            readers.forEach(Thread::start);
            for (int i = 0; i < total; i++) {
                log.append(List.of(rec("v" + i)), RecordBatch.Producer.NONE);
            }
            done.set(true);
            for (Thread reader : readers) {
                reader.join();
            }
            assertThat(failure.get()).as("a reader failed otherwise").isNull();
            assertThat(log.startOffset())
                    .as("retention deleted segments meanwhile")
                    .isGreaterThan(total / 2);
        }
    }

    @Test
    void shortIntervalsForceOnAGridSharedByAllPartitionsLongOnesEachAtAPhaseOfItsOwn() {
        long ms = 1_000_000L;
        long now = 123_456_789_012L;
        for (String name : List.of("t-0", "t-1", "orders-7")) {
            long delay = IntervalForces.firstForceDelay(now, 5 * ms, name);
            assertThat(delay).isBetween(1L, 5 * ms);
            assertThat(Math.floorMod(now + delay, 5 * ms))
                    .as("on the shared grid")
                    .isZero();
        }
        long interval = 100 * ms;
        TreeSet<Long> phases = new TreeSet<>();
        for (int p = 0; p < 8; p++) {
            String name = "t-" + p;
            long delay = IntervalForces.firstForceDelay(now, interval, name);
            assertThat(delay).isBetween(1L, interval);
            long phase = Math.floorMod(now + delay, interval);
            assertThat(Math.floorMod(
                            now + 7 * ms + IntervalForces.firstForceDelay(now + 7 * ms, interval, name), interval))
                    .as("a partition's phase does not depend on when it is opened")
                    .isEqualTo(phase);
            phases.add(phase);
        }
        List<Long> sorted = new ArrayList<>(phases);
        for (int i = 1; i < sorted.size(); i++) { // evenly: 12.5 ms apart would be perfect
            assertThat(sorted.get(i) - sorted.get(i - 1))
                    .as("8 partitions' phases apart, %s", sorted)
                    .isGreaterThan(5 * ms);
        }
    }

    /**
     * Under every-batch, readers see a record only once it is forced: an append that has not waited
     * for its force yet is not read, and a reopen forces what the last run left in the page cache
     * and makes it readable.
     */
    @Test
    void everyBatchReadersSeeOnlyForcedRecords() throws Exception {
        LogConfig config = new LogConfig(1 << 20, 1024, 64 * 1024, FsyncPolicy.everyBatch());
        List<Record> records = List.of(
                Record.of(1, null, "a".getBytes(StandardCharsets.UTF_8)),
                Record.of(2, null, "b".getBytes(StandardCharsets.UTF_8)));
        try (PartitionLog log = PartitionLog.open(dir, config)) {
            log.append(records, RecordBatch.Producer.NONE); // offsets 0-1, forced
            long[] written = log.appendBeforeSync(RecordBatch.Builder.of(records), RecordBatch.Producer.NONE); // 2-3
            assertThat(written).containsExactly(2, 4);
            assertThat(log.nextOffset()).isEqualTo(4);
            assertThat(log.readableEnd()).isEqualTo(2);
            assertThat(log.read(0, 1 << 20)).extracting(Record::offset).containsExactly(0L, 1L);
            assertThat(log.read(2, 1 << 20)).isEmpty();
            log.awaitDurable(written[1]);
            assertThat(log.readableEnd()).isEqualTo(4);
            assertThat(log.read(0, 1 << 20)).extracting(Record::offset).containsExactly(0L, 1L, 2L, 3L);
            log.appendBeforeSync(RecordBatch.Builder.of(records), RecordBatch.Producer.NONE); // 4-5, never awaited
        }
        try (PartitionLog log = PartitionLog.open(dir, config)) {
            assertThat(log.readableEnd()).isEqualTo(log.nextOffset()).isEqualTo(6);
            assertThat(log.read(4, 1 << 20)).extracting(Record::offset).containsExactly(4L, 5L);
        }
        try (PartitionLog log = PartitionLog.open(dir, config.withFsync(FsyncPolicy.none()))) {
            log.appendBeforeSync(RecordBatch.Builder.of(records), RecordBatch.Producer.NONE);
            assertThat(log.readableEnd())
                    .as("without a force per batch, what is appended is read")
                    .isEqualTo(8);
        }
    }
}
