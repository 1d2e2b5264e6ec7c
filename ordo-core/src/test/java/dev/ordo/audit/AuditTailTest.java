package dev.ordo.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.engine.RecordHandler;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * Under {@link AuditSync#WRITE} the entries not yet written to the audit file are in its tail: a
 * process that dies loses none of them, a reopening trail puts them in the file, and the tail never
 * adds an entry that does not continue the chain nor covers up a change to the file.
 */
class AuditTailTest {

    private Path dir;

    @BeforeTry
    void createDirectory() throws IOException {
        dir = Files.createTempDirectory("ordo-audit-tail");
    }

    @AfterTry
    void deleteDirectory() throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void handle(RecordHandler<String, String> handler, long offset, String key) throws Exception {
        handler.handle(TestRecord.of((int) (offset % 3), offset, key));
    }

    /** What a process that dies after {@code entries} handlings under WRITE leaves, copied to {@code crashed}. */
    private Path crashAfter(int entries, int keyBytes, Path crashed) throws Exception {
        Path file = dir.resolve("live.audit");
        AuditTrail trail = AuditTrail.open(file);
        try {
            RecordHandler<String, String> audited = trail.audit(r -> {});
            for (int i = 0; i < entries; i++) {
                handle(audited, i, "k" + (i % 7) + "-" + "x".repeat(keyBytes));
            }
            AuditTrailTest.crashCopy(file, crashed);
        } finally {
            trail.close();
        }
        return file;
    }

    @Property(tries = 25)
    void aProcessCrashLosesNoEntryAndReopeningPutsThemAllInTheFile(
            @ForAll @IntRange(min = 1, max = 3_000) int entries,
            @ForAll @IntRange(min = 0, max = 2_000) int keyBytes,
            @ForAll @IntRange(min = 0, max = 1 << 16) int cutOffTheFile)
            throws Exception {
        crashReopenAndCompare(entries, keyBytes, cutOffTheFile);
    }

    @Example
    void anEntryAcrossTheEndOfTheCircleComesBackWhole() throws Exception {
        // 256-byte entries from byte 36 on: entry 4095 runs across the circle's end, the last 256 are not written
        crashReopenAndCompare(
                4_097, 256 - (4 + AuditFormat.MIN_ENTRY_LENGTH + "orders".length() + "k0-".length()), 1 << 16);
    }

    private void crashReopenAndCompare(int entries, int keyBytes, int cutOffTheFile) throws Exception {
        Path crashed = dir.resolve("crashed.audit");
        Path closed = crashAfter(entries, keyBytes, crashed);
        try (RandomAccessFile f = new RandomAccessFile(crashed.toFile(), "rw")) { // and its last write interrupted
            f.setLength(Math.max(AuditFormat.HEADER_BYTES, f.length() - cutOffTheFile));
        }

        try (AuditTrail reopened = AuditTrail.open(crashed)) {
            assertThat(reopened.entries()).isEqualTo(entries);
        }

        assertThat(Files.exists(AuditTail.of(crashed))).isFalse();
        AuditVerification verdict = AuditVerifier.verify(crashed);
        assertThat(verdict).isEqualTo(AuditVerifier.verify(closed));
        assertThat(Files.mismatch(crashed, closed)).isEqualTo(-1L);
    }

    @Property(tries = 10)
    void theVerifierReadsTheEntriesOfACrashedTrailInItsTail(@ForAll @IntRange(min = 1, max = 2_000) int entries)
            throws Exception {
        Path crashed = dir.resolve("crashed.audit");
        Path closed = crashAfter(entries, 10, crashed);

        assertThat(AuditVerifier.verify(crashed)).isEqualTo(AuditVerifier.verify(closed));
    }

    @Property(tries = 10)
    void anEntryChangedInTheFileIsFoundThoughTheTailHoldsItUnchanged(
            @ForAll @IntRange(min = 1, max = 40) int entries, @ForAll @IntRange(min = 0, max = 1_000) int which)
            throws Exception {
        changeOneAndVerify(entries, which % entries);
    }

    @Example
    void theLastEntryChangedInTheFileIsFoundThoughTheTailHoldsItUnchanged() throws Exception {
        changeOneAndVerify(5, 4);
    }

    private void changeOneAndVerify(int entries, int changed) throws Exception {
        Path crashed = dir.resolve("crashed.audit");
        crashAfter(entries, 0, crashed);
        Path tailOfTheCrash = Files.copy(AuditTail.of(crashed), dir.resolve("tail-of-the-crash"));
        try (AuditTrail trail =
                AuditTrail.builder(crashed).sync(AuditSync.BUFFERED).open()) {
            assertThat(trail.entries()).isEqualTo(entries); // the file holds them all now
        }
        RawAuditFile raw = RawAuditFile.read(crashed);
        raw.entries().get(changed)[40] ^= 1; // its index
        raw.write(crashed);
        Files.copy(tailOfTheCrash, AuditTail.of(crashed)); // holding the same entry unchanged

        AuditVerification verdict = AuditVerifier.verify(crashed);

        assertThat(verdict)
                .isInstanceOfSatisfying(
                        AuditVerification.Broken.class,
                        b -> assertThat(b.index()).isEqualTo(changed));
    }

    @Example
    void aTailOfAnotherChainAddsNothingThoughItsEntriesStandWhereTheFileEnds() throws Exception {
        Path file = dir.resolve("orders.audit");
        try (AuditTrail trail = AuditTrail.open(file)) {
            for (int i = 0; i < 3; i++) {
                handle(trail.audit(r -> {}), i, "k");
            }
        }
        Path other = dir.resolve("forged.audit"); // the same records, a chain of its own, and two more
        AuditTrail forger = AuditTrail.open(other);
        try {
            for (int i = 0; i < 5; i++) {
                handle(forger.audit(r -> {}), i, "k");
            }
            Files.copy(AuditTail.of(other), AuditTail.of(file));
        } finally {
            forger.close();
        }

        assertThat(AuditVerifier.verify(file).entries()).isEqualTo(3);
        try (AuditTrail reopened = AuditTrail.open(file)) {
            assertThat(reopened.entries()).isEqualTo(3);
        }
        assertThat(AuditVerifier.verify(file)).isInstanceOf(AuditVerification.Intact.class);
    }

    @Example
    void closingTheTrailLeavesEveryEntryInTheFileAndNoTail() throws Exception {
        Path file = dir.resolve("orders.audit");
        try (AuditTrail trail = AuditTrail.open(file)) {
            handle(trail.audit(r -> {}), 0, "k");
            assertThat(Files.size(AuditTail.of(file))).isEqualTo(AuditTail.BYTES);
        }

        assertThat(Files.exists(AuditTail.of(file))).isFalse();
        assertThat(RawAuditFile.read(file).entries()).hasSize(1);
        assertThat(AuditVerifier.verify(file, List.of(), e -> {}).entries()).isEqualTo(1);
    }
}
