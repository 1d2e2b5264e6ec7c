package dev.ordo.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.engine.RecordHandler;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * Whatever someone who can write an audit file does to it (remove, insert, move or change any entry,
 * or a crash cutting it anywhere), the verifier names the first entry concerned.
 */
class AuditTamperProperties {

    enum Mutation {
        REMOVE,
        INSERT_COPY,
        SWAP,
        FLIP_BIT,
        REFORGE
    }

    private Path dir;

    @BeforeTry
    void createDirectory() throws IOException {
        dir = Files.createTempDirectory("ordo-audit");
    }

    @AfterTry
    void deleteDirectory() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    private Path chainOf(int entries) throws Exception {
        Path file = dir.resolve("t.audit");
        try (AuditTrail trail = AuditTrail.open(file)) {
            RecordHandler<String, String> audited = trail.audit(r -> {});
            for (int i = 0; i < entries; i++) {
                audited.handle(TestRecord.of(i % 3, i, "k" + (i % 4)));
            }
        }
        return file;
    }

    @Property(tries = 200)
    void anyMutationBreaksTheChainAtTheFirstEntryItTouches(
            @ForAll @IntRange(min = 2, max = 30) int entries,
            @ForAll Mutation mutation,
            @ForAll @IntRange(min = 0, max = 1000) int a,
            @ForAll @IntRange(min = 0, max = 1000) int b,
            @ForAll @IntRange(min = 0, max = 100_000) int bit)
            throws Exception {
        Path file = chainOf(entries);
        RawAuditFile raw = RawAuditFile.read(file);
        List<byte[]> list = raw.entries();
        long expected;
        switch (mutation) {
            case REMOVE -> { // not the last: cutting the end is found by checkpoints only (its own property)
                int i = a % (entries - 1);
                list.remove(i);
                expected = i;
            }
            case INSERT_COPY -> {
                int at = a % (entries + 1);
                int of = b % entries;
                list.add(at, list.get(of).clone());
                expected = of == at ? at + 1 : at; // a copy of the entry right behind it stands in its place
            }
            case SWAP -> {
                int i = a % entries;
                int j = b % entries;
                if (i == j) {
                    j = (i + 1) % entries;
                }
                Collections.swap(list, i, j);
                expected = Math.min(i, j);
            }
            case FLIP_BIT -> {
                int i = a % entries;
                byte[] entry = list.get(i);
                int at = bit % (entry.length * 8);
                entry[at / 8] ^= (byte) (1 << (at % 8));
                expected = i;
            }
            case REFORGE -> { // changed with its own hash recomputed: the next entry no longer links to it
                int i = a % (entries - 1);
                list.set(i, RawAuditFile.reforged(list.get(i)));
                expected = i + 1;
            }
            default -> throw new AssertionError(mutation);
        }
        raw.write(file);

        AuditVerification verdict = AuditVerifier.verify(file);

        assertThat(verdict)
                .isInstanceOfSatisfying(
                        AuditVerification.Broken.class,
                        broken ->
                                assertThat(broken.index()).as(broken.summary()).isEqualTo(expected));
    }

    @Property(tries = 100)
    void aCrashCuttingTheFileAnywhereLosesOnlyTheEntryItCutAndReopeningGoesOn(
            @ForAll @IntRange(min = 1, max = 20) int entries,
            @ForAll @IntRange(min = 1, max = 10_000) int cut,
            @ForAll AuditSync sync)
            throws Exception {
        Path file = chainOf(entries);
        RawAuditFile raw = RawAuditFile.read(file);
        byte[] last = raw.entries().get(entries - 1);
        int keep = cut % last.length; // 0 .. all but one byte of the last entry
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(f.length() - last.length + keep);
        }

        try (AuditTrail trail = AuditTrail.builder(file).sync(sync).open()) {
            assertThat(trail.entries()).isEqualTo(entries - 1);
        }
        assertThat(AuditVerifier.verify(file).summary()).startsWith("OK: " + (entries - 1) + " entries");
        try (AuditTrail trail = AuditTrail.builder(file).sync(sync).open()) {
            trail.<String, String>audit(r -> {}).handle(TestRecord.of(0, 1_000, "k"));
        }

        AuditVerification verdict = AuditVerifier.verify(file);
        assertThat(verdict).isInstanceOf(AuditVerification.Intact.class);
        assertThat(verdict.entries()).isEqualTo(entries);
    }
}
