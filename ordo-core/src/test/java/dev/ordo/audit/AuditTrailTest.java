package dev.ordo.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ordo.engine.Headers;
import dev.ordo.engine.OrdoHeaders;
import dev.ordo.engine.ParkedRecord;
import dev.ordo.engine.RecordHandler;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AuditTrailTest {

    @TempDir
    Path dir;

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-04T10:00:00Z"), ZoneOffset.UTC);

    private Path file() {
        return dir.resolve("orders.audit");
    }

    private static List<AuditEntry> entries(Path file) throws IOException {
        List<AuditEntry> entries = new ArrayList<>();
        AuditVerification verdict = AuditVerifier.verify(file, List.of(), entries::add);
        assertThat(verdict).isInstanceOf(AuditVerification.Intact.class);
        return entries;
    }

    private static void handle(RecordHandler<String, String> handler, TestRecord record) {
        try {
            handler.handle(record);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void eachHandlingIsOneEntryInTheOrderOfHandling() throws IOException {
        try (AuditTrail trail = AuditTrail.builder(file()).clock(CLOCK).open()) {
            RecordHandler<String, String> audited = trail.audit(r -> {});
            for (int i = 0; i < 5; i++) {
                handle(audited, TestRecord.of(i % 2, i, "k" + (i % 2)));
            }
        }
        List<AuditEntry> entries = entries(file());
        assertThat(entries).extracting(AuditEntry::offset).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(entries).extracting(AuditEntry::index).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(entries).extracting(AuditEntry::predecessor).containsExactly(-1L, -1L, 0L, 1L, 2L);
        assertThat(entries.get(3).keyText()).isEqualTo("k1");
        assertThat(entries.get(3).partition()).isEqualTo(1);
        assertThat(entries.get(3).topic()).isEqualTo("orders");
        assertThat(entries.get(3).handledAt()).isEqualTo(CLOCK.instant());
        assertThat(entries).allSatisfy(e -> assertThat(e.outcome()).isEqualTo(AuditOutcome.HANDLED));
        assertThat(AuditVerifier.verify(file()).summary())
                .isEqualTo("OK: 5 entries, head " + entries.get(4).hashHex());
    }

    @Test
    void aFailedHandlingIsRecordedWithItsErrorClassAndTheExceptionGoesOnUnchanged() throws IOException {
        IllegalStateException thrown = new IllegalStateException("account closed");
        try (AuditTrail trail = AuditTrail.open(file())) {
            RecordHandler<String, String> audited = trail.audit(r -> {
                throw thrown;
            });
            assertThatThrownBy(() -> audited.handle(TestRecord.of(0, 7, "k"))).isSameAs(thrown);
        }
        AuditEntry entry = entries(file()).get(0);
        assertThat(entry.outcome()).isEqualTo(AuditOutcome.FAILED);
        assertThat(entry.detail()).isEqualTo("java.lang.IllegalStateException");
    }

    @Test
    void aSkippedParkedRecordIsRecordedWithItsReason() throws IOException {
        try (AuditTrail trail = AuditTrail.open(file())) {
            trail.skipped(
                    new ParkedRecord("orders", 2, 41, "ACC-1", new RuntimeException(), 3, Duration.ZERO, 0),
                    "poison message");
        }
        AuditEntry entry = entries(file()).get(0);
        assertThat(entry.outcome()).isEqualTo(AuditOutcome.SKIPPED);
        assertThat(entry.detail()).isEqualTo("poison message");
        assertThat(entry.keyText()).isEqualTo("ACC-1");
        assertThat(entry.offset()).isEqualTo(41);
    }

    @Test
    void recordsOfTopicsInTurnEachNameTheirOwnTopic() throws IOException {
        try (AuditTrail trail = AuditTrail.open(file())) {
            RecordHandler<String, String> audited = trail.audit(r -> {});
            for (int i = 0; i < 4; i++) {
                String topic = i % 2 == 0 ? "orders" : new String("payments"); // equal, not the same, string
                handle(audited, new TestRecord(topic, 0, i, "k", "v", Headers.empty()));
            }
        }
        assertThat(entries(file()))
                .extracting(AuditEntry::topic)
                .containsExactly("orders", "payments", "orders", "payments");
    }

    @ParameterizedTest
    @EnumSource(AuditSync.class)
    void anEntryLargerThanTheBufferComesAfterTheEntriesBeforeIt(AuditSync sync) throws IOException {
        String large = "L".repeat(BufferedAppender.BUFFER_BYTES + 1);
        try (AuditTrail trail = AuditTrail.builder(file()).sync(sync).open()) {
            RecordHandler<String, String> audited = trail.audit(r -> {});
            for (int i = 0; i < 600; i++) { // a buffer and a half of small entries around the large ones
                handle(audited, TestRecord.of(0, i, i % 200 == 199 ? large : "k" + (i % 5)));
            }
        }
        assertThat(entries(file())).extracting(AuditEntry::offset).isSorted().hasSize(600);
    }

    @Test
    void aCheckpointDueAsAFullBufferIsHandedOffCountsTheHandedOffEntriesFirst() throws IOException {
        // entries of 256 bytes: the 257th does not fit the 64 KiB buffer and hands it off
        String key = "k".repeat(256 - (4 + AuditFormat.MIN_ENTRY_LENGTH + "orders".length()));
        try (AuditTrail trail = AuditTrail.builder(file())
                .sync(AuditSync.BUFFERED)
                .checkpointEvery(257)
                .open()) {
            RecordHandler<String, String> audited = trail.audit(r -> {});
            for (int i = 0; i < 257; i++) {
                handle(audited, TestRecord.of(0, i, key));
            }
        }
        assertThat(AuditVerifier.sideCheckpoints(file()))
                .extracting(AuditCheckpoint::entries)
                .containsExactly(257L);
        assertThat(AuditVerifier.verify(file()).summary())
                .startsWith("OK: 257 entries")
                .endsWith("1 checkpoint matches");
    }

    @Test
    void sourceAndSequenceComeFromOrdoHeaders() throws IOException {
        try (AuditTrail trail = AuditTrail.open(file())) {
            handle(
                    trail.audit(r -> {}),
                    new TestRecord("orders", 0, 3, "k", "v", OrdoHeaders.sequenced("teller-1", 42)));
            handle(trail.audit(r -> {}), TestRecord.of(0, 4, "k"));
        }
        List<AuditEntry> entries = entries(file());
        assertThat(entries.get(0).source()).isEqualTo("teller-1");
        assertThat(entries.get(0).sequence()).isEqualTo(42);
        assertThat(entries.get(1).source()).isNull();
        assertThat(entries.get(1).sequence()).isEqualTo(-1);
    }

    @Test
    void aKeyTheTrailForgotHasAnUnknownPredecessorNeverAFalseFirst() throws IOException {
        try (AuditTrail trail = AuditTrail.builder(file()).maxKeys(2).open()) {
            RecordHandler<String, String> audited = trail.audit(r -> {});
            handle(audited, TestRecord.of(0, 0, "a"));
            handle(audited, TestRecord.of(0, 1, "b"));
            handle(audited, TestRecord.of(0, 2, "c")); // forgets a
            handle(audited, TestRecord.of(0, 3, "a"));
            handle(audited, TestRecord.of(0, 4, "c"));
        }
        assertThat(entries(file()))
                .extracting(AuditEntry::predecessor)
                .containsExactly(-1L, -1L, -1L, AuditEntry.UNKNOWN_PREDECESSOR, 2L);
    }

    @Test
    void theChainVerifiesAfterManyConcurrentAppendsAndEachKeyKeepsItsOrder() throws Exception {
        int threads = 8;
        int perThread = 5_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (AuditTrail trail = AuditTrail.open(file())) {
            RecordHandler<String, String> audited = trail.audit(r -> {});
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) { // each key on one thread, as the consumer runs a key
                        audited.handle(TestRecord.of(thread, i, "t" + thread + "-k" + (i % 10)));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
        }
        List<AuditEntry> entries = entries(file());
        assertThat(entries).hasSize(threads * perThread);
        Map<String, AuditEntry> lastOfKey = new HashMap<>();
        for (AuditEntry e : entries) {
            AuditEntry previous = lastOfKey.put(e.keyText(), e);
            if (previous == null) {
                assertThat(e.predecessor()).isEqualTo(AuditEntry.NO_PREDECESSOR);
            } else {
                assertThat(e.predecessor()).isEqualTo(previous.index());
                assertThat(e.offset()).isGreaterThan(previous.offset());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = AuditSync.class,
            names = {"WRITE", "BUFFERED"})
    void checkpointsTakenWhileHandlersAppendAllMatchTheChain(AuditSync sync) throws Exception {
        int threads = 4;
        int perThread = 20_000; // some 90 buffers handed off, written while the others append and checkpoint
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<AuditCheckpoint> taken = new ArrayList<>();
        try (AuditTrail trail = AuditTrail.builder(file()).sync(sync).open()) {
            RecordHandler<String, String> audited = trail.audit(r -> {});
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        audited.handle(TestRecord.of(thread, i, "t" + thread + "-k" + (i % 10)));
                    }
                    return null;
                }));
            }
            while (!done.stream().allMatch(Future::isDone)) {
                taken.add(trail.checkpoint());
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
        }
        AuditVerification verdict = AuditVerifier.verify(file());
        assertThat(verdict).as(verdict.summary()).isInstanceOf(AuditVerification.Intact.class);
        assertThat(verdict.entries()).isEqualTo(threads * perThread);
        assertThat(AuditVerifier.verify(file(), taken, e -> {})).isInstanceOf(AuditVerification.Intact.class);
        assertThat(taken).hasSizeGreaterThan(1);
    }

    @Test
    void anEntryIsInThePageCacheWhenTheHandlerReturnsSoThatAProcessCrashKeepsIt() throws Exception {
        Path crashed = Files.createDirectory(dir.resolve("crashed")).resolve("orders.audit");
        AuditTrail trail = AuditTrail.open(file());
        try {
            handle(trail.audit(r -> {}), TestRecord.of(0, 0, "k"));
            handle(trail.audit(r -> {}), TestRecord.of(0, 1, "k"));
            AuditVerification live = AuditVerifier.verify(file()); // read as another process would, unclosed
            assertThat(live.summary()).startsWith("OK: 2 entries");
            crashCopy(file(), crashed); // what the process leaves if it dies now
        } finally {
            trail.close();
        }
        assertThat(Files.size(file())).isLessThan(AuditFormat.HEADER_BYTES + 2 * AuditFormat.MAX_KEY_BYTES);
        assertThat(AuditVerifier.verify(crashed).summary()).startsWith("OK: 2 entries");
        try (AuditTrail reopened = AuditTrail.open(crashed)) {
            assertThat(reopened.entries()).isEqualTo(2);
        }
        assertThat(entries(crashed)).extracting(AuditEntry::offset).containsExactly(0L, 1L);
    }

    @Test
    void bufferedEntriesReachTheFileWhenForced() throws Exception {
        try (AuditTrail trail =
                AuditTrail.builder(file()).sync(AuditSync.BUFFERED).open()) {
            handle(trail.audit(r -> {}), TestRecord.of(0, 0, "k"));
            handle(trail.audit(r -> {}), TestRecord.of(0, 1, "k"));
            assertThat(Files.size(file())).isEqualTo(AuditFormat.HEADER_BYTES);
            trail.force();
            assertThat(AuditVerifier.verify(file()).summary()).startsWith("OK: 2 entries");
        }
    }

    @Test
    void reopeningContinuesTheChainAndTheKeysPredecessors() throws IOException {
        try (AuditTrail trail = AuditTrail.open(file())) {
            handle(trail.audit(r -> {}), TestRecord.of(0, 0, "k"));
            handle(trail.audit(r -> {}), TestRecord.of(0, 1, "j"));
        }
        try (AuditTrail trail = AuditTrail.open(file())) {
            assertThat(trail.entries()).isEqualTo(2);
            handle(trail.audit(r -> {}), TestRecord.of(0, 2, "k"));
        }
        List<AuditEntry> entries = entries(file());
        assertThat(entries).extracting(AuditEntry::index).containsExactly(0L, 1L, 2L);
        assertThat(entries.get(2).predecessor()).isEqualTo(0L);
    }

    @Test
    void aTornLastEntryIsCutOffOnReopenAndTheChainGoesOn() throws IOException {
        writeEntries(3);
        long size = Files.size(file());
        try (RandomAccessFile f = new RandomAccessFile(file().toFile(), "rw")) {
            f.setLength(size - 10); // a crash in the middle of writing entry 2
        }
        AuditVerification torn = AuditVerifier.verify(file());
        assertThat(torn).isInstanceOfSatisfying(AuditVerification.Broken.class, b -> {
            assertThat(b.index()).isEqualTo(2);
            assertThat(b.problem()).isEqualTo(AuditProblem.TORN);
        });
        try (AuditTrail trail = AuditTrail.open(file())) {
            assertThat(trail.entries()).isEqualTo(2);
            handle(trail.audit(r -> {}), TestRecord.of(0, 9, "k"));
        }
        assertThat(entries(file())).extracting(AuditEntry::offset).containsExactly(0L, 1L, 9L);
    }

    @Test
    void aZeroFilledTailIsCutOffOnReopen() throws IOException {
        writeEntries(2);
        try (RandomAccessFile f = new RandomAccessFile(file().toFile(), "rw")) {
            f.setLength(f.length() + 4096); // blocks allocated, never written, before a crash
        }
        try (AuditTrail trail = AuditTrail.open(file())) {
            assertThat(trail.entries()).isEqualTo(2);
        }
        assertThat(AuditVerifier.verify(file())).isInstanceOf(AuditVerification.Intact.class);
    }

    @Test
    void aChainBrokenBeforeItsLastEntryIsNotContinued() throws IOException {
        writeEntries(3);
        RawAuditFile raw = RawAuditFile.read(file());
        raw.entries().remove(1);
        raw.write(file());
        assertThatThrownBy(() -> AuditTrail.open(file()))
                .isInstanceOf(AuditException.class)
                .hasMessageContaining("BROKEN at entry 1: MISSING");
    }

    @Test
    void aFileThatIsNoAuditFileIsRefusedByName() throws IOException {
        Files.writeString(file(), "{\"type\":\"sent\"}\n".repeat(5));
        assertThatThrownBy(() -> AuditVerifier.verify(file()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file() + " is not an Ordo audit file (no 'ORDOAUDT' header)");
        assertThatThrownBy(() -> AuditTrail.open(file())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFileHasOneWritingTrailAtATime() throws IOException {
        try (AuditTrail trail = AuditTrail.open(file())) {
            assertThatThrownBy(() -> AuditTrail.open(file()))
                    .isInstanceOf(AuditException.class)
                    .hasMessageContaining("open for writing already");
        }
    }

    @Test
    void aClosedTrailTakesNoEntries() throws IOException {
        AuditTrail trail = AuditTrail.open(file());
        RecordHandler<String, String> audited = trail.audit(r -> {});
        trail.close();
        trail.close();
        assertThatThrownBy(() -> audited.handle(TestRecord.of(0, 0, "k")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is closed");
    }

    @Test
    void checkpointsInTheSideFileAreComparedAndCatchACutEnd() throws IOException {
        try (AuditTrail trail = AuditTrail.builder(file()).checkpointEvery(2).open()) {
            for (int i = 0; i < 5; i++) {
                handle(trail.audit(r -> {}), TestRecord.of(0, i, "k"));
            }
            AuditCheckpoint last = trail.checkpoint();
            assertThat(last.entries()).isEqualTo(5);
        }
        assertThat(AuditVerifier.sideCheckpoints(file()))
                .extracting(AuditCheckpoint::entries)
                .containsExactly(2L, 4L, 5L);
        assertThat(AuditVerifier.verify(file()).summary()).endsWith(", 3 checkpoints match");

        RawAuditFile raw = RawAuditFile.read(file());
        raw.entries().remove(4); // the last entry: the chain alone cannot tell
        raw.write(file());
        assertThat(AuditVerifier.verify(file(), List.of(), e -> {})).isInstanceOf(AuditVerification.Intact.class);
        assertThat(AuditVerifier.verify(file())).isInstanceOfSatisfying(AuditVerification.Broken.class, b -> {
            assertThat(b.problem()).isEqualTo(AuditProblem.CUT_SHORT);
            assertThat(b.index()).isEqualTo(4);
        });
    }

    @Test
    void aChainRewrittenBeforeACheckpointDisagreesWithIt() throws IOException {
        writeEntries(4);
        AuditCheckpoint published = new AuditCheckpoint(4, headOf(file()));
        Files.delete(file());
        try (AuditTrail trail = AuditTrail.open(file())) { // a forger's new chain of the same records
            for (int i = 0; i < 4; i++) {
                handle(trail.audit(r -> {}), TestRecord.of(0, i == 2 ? 99 : i, "k"));
            }
        }
        assertThat(AuditVerifier.verify(file(), List.of(), e -> {})).isInstanceOf(AuditVerification.Intact.class);
        assertThat(AuditVerifier.verify(file(), List.of(published), e -> {}))
                .isInstanceOfSatisfying(AuditVerification.Broken.class, b -> {
                    assertThat(b.problem()).isEqualTo(AuditProblem.CHECKPOINT_MISMATCH);
                    assertThat(b.index()).isEqualTo(3);
                });
    }

    @Test
    void anAlteredHeaderBreaksTheFirstLink() throws IOException {
        writeEntries(2);
        RawAuditFile raw = RawAuditFile.read(file());
        raw.header()[15] ^= 1; // the creation time
        raw.write(file());
        assertThat(AuditVerifier.verify(file())).isInstanceOfSatisfying(AuditVerification.Broken.class, b -> {
            assertThat(b.problem()).isEqualTo(AuditProblem.UNLINKED);
            assertThat(b.index()).isZero();
        });
    }

    /** Copies an audit file and its tail as the page cache holds them: what a process that dies leaves. */
    static void crashCopy(Path file, Path to) throws IOException {
        Files.copy(file, to);
        if (Files.exists(AuditTail.of(file))) {
            Files.copy(AuditTail.of(file), AuditTail.of(to));
        }
    }

    private static byte[] headOf(Path file) throws IOException {
        List<AuditEntry> entries = entries(file);
        return entries.get(entries.size() - 1).hash();
    }

    private void writeEntries(int count) throws IOException {
        try (AuditTrail trail = AuditTrail.open(file())) {
            for (int i = 0; i < count; i++) {
                handle(trail.audit(r -> {}), TestRecord.of(0, i, "k" + (i % 2)));
            }
        }
    }
}
