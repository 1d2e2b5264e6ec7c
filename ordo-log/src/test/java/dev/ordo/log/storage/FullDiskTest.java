package dev.ordo.log.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes refused by the kernel, as on a full disk: a child JVM ({@link FileLimitChild}) appends under a
 * file size limit ({@code ulimit -f}, which makes {@code write} fail with {@code EFBIG} after writing
 * what fits, as {@code ENOSPC} does), goes on after the failures and rolls the segment they hit. Every
 * append that returned must read back after a reopen, nothing may be reported as damage, and a
 * refused append must leave no bytes behind: before the fix, the partly written record stayed past
 * the segment's end, and once the segment was sealed and forced, reopening stopped on it as corruption.
 */
@EnabledOnOs(OS.LINUX)
class FullDiskTest {

    @TempDir
    Path dir;

    @Test
    void refusedWritesLeaveNoBytesAndEveryAppendedRecordReadsBack() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // 1024 blocks of 512 bytes (POSIX sh): 512 KiB per file, far below the 64 MiB segments.
        String command = "ulimit -f 1024 && exec \"$0\" -Xmx64m -XX:TieredStopAtLevel=1 -cp \"$1\" "
                + FileLimitChild.class.getName() + " \"$2\"";
        Process child = new ProcessBuilder(
                        List.of("sh", "-c", command, java, System.getProperty("java.class.path"), dir.toString()))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        List<long[]> acked = new ArrayList<>(); // offset, size
        List<String> failures = new ArrayList<>();
        boolean closed = false;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                String[] words = line.split(" ", 2);
                switch (words[0]) {
                    case "ACK" -> {
                        String[] fields = words[1].split(" ");
                        acked.add(new long[] {Long.parseLong(fields[0]), Long.parseLong(fields[1])});
                    }
                    case "FAILED" -> failures.add(words[1]);
                    case "CLOSED" -> closed = true;
                    default -> throw new AssertionError("unexpected line from the child: " + line);
                }
            }
        }
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child ended").isTrue();
        assertThat(child.exitValue()).as("child exit code").isZero();
        assertThat(closed).as("child closed the log").isTrue();
        assertThat(failures).as("writes refused at the limit").hasSize(2).allMatch(m -> m.contains("File too large"));
        // The small record after the first failure landed where the refused one had left bytes.
        assertThat(acked).as("appends after the first failure").anyMatch(a -> a[1] == 20);
        for (int i = 0; i < acked.size(); i++) {
            assertThat(acked.get(i)[0]).as("offsets acknowledged without a gap").isEqualTo(i);
        }

        try (PartitionLog log = PartitionLog.open(dir, FileLimitChild.config())) {
            assertThat(log.truncatedOnOpen())
                    .as("bytes cut on open after a clean close")
                    .isZero();
            assertThat(log.segmentCount())
                    .as("segments: the one the failures hit, sealed, and the next")
                    .isEqualTo(2);
            assertThat(log.nextOffset()).isEqualTo(acked.size());
            List<Record> records = new ArrayList<>();
            while (records.size() < acked.size()) {
                List<Record> read = log.read(records.size(), 1 << 20);
                assertThat(read).as("records from offset " + records.size()).isNotEmpty();
                records.addAll(read);
            }
            for (long[] ack : acked) {
                Record record = records.get((int) ack[0]);
                assertThat(record.offset()).isEqualTo(ack[0]);
                assertThat(record.value()).as("value at offset " + ack[0]).isEqualTo(FileLimitChild.value(ack[0], (int)
                        ack[1]));
            }
            assertThat(log.append(
                            List.of(Record.of(FileLimitChild.START_MILLIS, null, new byte[10])),
                            RecordBatch.Producer.NONE))
                    .as("an append after the reopen")
                    .isEqualTo(acked.size());
        }
        try (Stream<Path> files = Files.list(dir)) {
            Path sealed = files.filter(f -> f.getFileName().toString().equals(SegmentFileNames.fileName(0, ".log")))
                    .findFirst()
                    .orElseThrow();
            assertThat(Files.size(sealed))
                    .as("the sealed segment ends at its last record")
                    .isLessThan(512 * 1024);
        }
    }
}
