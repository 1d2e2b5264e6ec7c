package dev.ordo.cli.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.cli.Cli;
import dev.ordo.cli.Cli.Run;
import dev.ordo.cli.ExitCode;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A topic with one flipped bit in the middle of a sealed segment, as the command line shows and repairs it. */
class DamagedTopicCommandsTest {

    private static final int RECORDS = 2_000;

    @TempDir
    Path data;

    private Path first;
    /** The damaged batch's byte position and first offset, and the next segment's base offset. */
    private long position;

    private long damagedOffset;
    private long nextSegment;

    @BeforeEach
    void produceAndFlipABitInTheFirstSegment() throws Exception {
        String dir = data.toString();
        assertThat(Cli.run("", "topics", "create", "ledger", "--segment-bytes", "16384", "--data", dir)
                        .exit())
                .isZero();
        for (int from = 0; from < RECORDS; from += 50) { // a batch or so per run: many batches per segment
            StringBuilder lines = new StringBuilder();
            for (int i = from; i < from + 50; i++) {
                lines.append("k\tv").append(i).append('\n');
            }
            assertThat(Cli.run(lines.toString(), "produce", "ledger", "--data", dir)
                            .exit())
                    .isZero();
        }
        first = data.resolve("ledger-0").resolve("00000000000000000000.log");
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(first));
        int at = 0;
        while (at + 4 + bytes.getInt(at) <= bytes.limit() * 3 / 10) {
            at += 4 + bytes.getInt(at);
        }
        position = at;
        damagedOffset = bytes.getLong(at + 10);
        int last = at;
        while (last + 4 + bytes.getInt(last) < bytes.limit()) {
            last += 4 + bytes.getInt(last);
        }
        nextSegment = bytes.getLong(last + 10) + bytes.getInt(last + 18) + 1;
        try (RandomAccessFile file = new RandomAccessFile(first.toFile(), "rw")) {
            file.seek(position + 60); // a record byte: only the batch's CRC notices
            int b = file.read();
            file.seek(position + 60);
            file.write(b ^ 0x10);
        }
    }

    private static List<String> lines(long from, long to) {
        return IntStream.range((int) from, (int) to)
                .mapToObj(i -> "k\t0\t" + i + "\tv" + i)
                .toList();
    }

    private void assertTheErrorNamesTheDamage(Run run) {
        assertThat(run.exit()).isEqualTo(ExitCode.ERROR);
        assertThat(run.err().lines()).hasSize(1);
        assertThat(run.err())
                .startsWith("ordo consume: topic 'ledger' partition 0: segment " + first + " is damaged at byte "
                        + position + " (batch CRC mismatch")
                .contains("offsets " + damagedOffset + "-" + (nextSegment - 1) + " cannot be read")
                .contains("'ordo topics repair ledger --data " + data.toAbsolutePath() + "'");
    }

    @Test
    void consumePrintsEveryRecordBeforeTheDamageThenNamesItAndExitsTwo() {
        Run run = Cli.run("", "consume", "ledger", "--from-beginning", "--data", data.toString());
        assertThat(run.out().lines()).isEqualTo(lines(0, damagedOffset));
        assertTheErrorNamesTheDamage(run);
    }

    @Test
    void aGroupPrintsEveryRecordBeforeTheDamageThenNamesItAndExitsTwo() {
        Run run = Cli.run("", "consume", "ledger", "--group", "audit", "--data", data.toString());
        assertThat(run.out().lines()).isEqualTo(lines(0, damagedOffset));
        assertTheErrorNamesTheDamage(run);
    }

    @Test
    void checkReportsTheDamageChangingNothingAndRepairCutsItSoThatConsumeGoesOn() throws Exception {
        String dir = data.toString();
        byte[] before = Files.readAllBytes(first);
        Run check = Cli.run("", "topics", "check", "ledger", "--data", dir);
        assertThat(check.exit()).isEqualTo(ExitCode.CHECK_FAILED);
        assertThat(check.out().lines())
                .containsExactly(
                        "topic 'ledger' partition 0: segment " + first + " is damaged at byte " + position
                                + " (" + check.out().split("[()]")[1] + "); a repair loses offsets " + damagedOffset
                                + "-" + (nextSegment - 1),
                        "topic ledger: 1 damaged segment, nothing changed; 'ordo topics repair ledger --data " + dir
                                + "' cuts each at its damage, or restore the segments from a copy");
        assertThat(Files.readAllBytes(first)).isEqualTo(before);

        Run repair = Cli.run("", "topics", "repair", "ledger", "--data", dir);
        assertThat(repair.exit()).isZero();
        assertThat(repair.out())
                .contains("; cut there, offsets " + damagedOffset + "-" + (nextSegment - 1) + " lost")
                .contains("topic ledger: 1 segment cut at the damage");
        assertThat(Cli.run("", "topics", "check", "ledger", "--data", dir).out())
                .isEqualTo("topic ledger: every record batch is whole" + System.lineSeparator());

        Run consume = Cli.run("", "consume", "ledger", "--data", dir);
        assertThat(consume.exit()).isZero();
        List<String> expected = new ArrayList<>(lines(0, damagedOffset));
        expected.addAll(lines(nextSegment, RECORDS));
        assertThat(consume.out().lines()).isEqualTo(expected);
    }
}
