package dev.ordo.log.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {

    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private static Record at(long timestamp) {
        return Record.of(timestamp, null, new byte[100]);
    }

    @Test
    void sizeRetentionDeletesOldestSegmentsAndMovesTheStartOffset() throws Exception {
        LogConfig config =
                new LogConfig(1_024, 256, 1_024, FsyncPolicy.none()).withRetention(LogConfig.Retention.bytes(3_000));
        try (PartitionLog log = PartitionLog.open(dir, config)) {
            for (int i = 0; i < 200; i++) {
                log.append(List.of(at(T0 + i)), RecordBatch.Producer.NONE);
                // Never more than the limit plus the segment that just filled up and the active one.
                assertThat(log.sizeInBytes()).isLessThan(3_000 + 2 * 1_024);
            }
            assertThat(log.startOffset()).isPositive();
            assertThat(log.nextOffset()).isEqualTo(200);
            long start = log.startOffset();
            assertThat(log.read(start, 1 << 20).get(0).offset()).isEqualTo(start);
            assertThatThrownBy(() -> log.read(start - 1, 1 << 20))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("log start offset " + start);
        }
        try (PartitionLog reopened = PartitionLog.open(dir, config)) {
            assertThat(reopened.nextOffset()).isEqualTo(200);
            assertThat(reopened.read(reopened.startOffset(), 1 << 20)).isNotEmpty();
        }
    }

    @Test
    void ageRetentionDeletesSealedSegmentsWhoseRecordsAreAllOlderAndKeepsTheActiveOne() throws Exception {
        LogConfig config = new LogConfig(1 << 20, 256, 1 << 16, FsyncPolicy.none())
                .withSegmentAge(Duration.ofMinutes(1))
                .withRetention(LogConfig.Retention.age(Duration.ofMinutes(5)));
        // Retention also runs on every roll against the wall clock; records from now on are not expired by it.
        long t0 = System.currentTimeMillis();
        try (PartitionLog log = PartitionLog.open(dir, config)) {
            // One record every 10 s for 10 minutes: a new segment every minute (by record time).
            for (int i = 0; i < 60; i++) {
                log.append(List.of(at(t0 + i * 10_000L)), RecordBatch.Producer.NONE);
            }
            assertThat(log.segmentCount()).isEqualTo(10);
            long now = t0 + 60 * 10_000L;
            int deleted = log.enforceRetention(now);
            // Segments holding only records older than now - 5 min go: minutes 0-4 end before the cut-off.
            assertThat(deleted).isEqualTo(5);
            assertThat(log.segmentCount()).isEqualTo(5);
            assertThat(log.read(log.startOffset(), 1 << 20).get(0).timestamp()).isGreaterThanOrEqualTo(now - 300_000L);
            assertThat(log.enforceRetention(now + Duration.ofDays(1).toMillis()))
                    .isEqualTo(4);
            assertThat(log.segmentCount()).isEqualTo(1);
            assertThat(log.offsetForTime(t0)).isEqualTo(54); // everything older is gone: the first record kept
        }
    }

    @Test
    void retentionTakesSegmentsOutAtOnceAndDeletesTheirFilesLaterInTheBackground() throws Exception {
        LogConfig config =
                new LogConfig(1_024, 256, 1_024, FsyncPolicy.none()).withRetention(LogConfig.Retention.bytes(3_000));
        long start;
        // The engine's threads, shared by both opens below as an engine shares them among its logs.
        try (LogFlusher flusher = LogFlusher.start();
                BackgroundDeleter deleter = BackgroundDeleter.start();
                HeldDeletions held = HeldDeletions.hold(deleter)) {
            try (PartitionLog log = PartitionLog.open(dir, config, flusher, deleter)) {
                for (int i = 0; i < 200; i++) {
                    log.append(List.of(at(T0 + i)), RecordBatch.Producer.NONE);
                }
                start = log.startOffset();
                assertThat(start).isPositive();
                // The appends that rolled did not wait for the deletions: the files wait, renamed.
                assertThat(files(".log.deleted")).isNotEmpty();
                assertThat(files(".log")).hasSize(log.segmentCount());
                assertThat(log.read(start, 1 << 20).get(0).offset()).isEqualTo(start);
            }
            // The process stopped before deleting them: the next open does, and never reads them.
            List<String> left = files(".deleted");
            try (PartitionLog reopened = PartitionLog.open(dir, config, flusher, deleter)) {
                assertThat(files(".deleted")).doesNotContainAnyElementsOf(left);
                assertThat(reopened.startOffset()).isGreaterThanOrEqualTo(start); // opening applies retention too
                assertThat(reopened.nextOffset()).isEqualTo(200);
                assertThat(DataDirectory.isPartitionDirectory(dir)).isTrue();
                for (int i = 200; i < 400; i++) {
                    reopened.append(List.of(at(T0 + i)), RecordBatch.Producer.NONE);
                }
                assertThat(files(".log.deleted"))
                        .as("deletions queued behind the held task")
                        .isNotEmpty();
                assertThat(DataDirectory.isPartitionDirectory(dir))
                        .as("a partition directory while they wait")
                        .isTrue();
                held.close();
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> files(".deleted").isEmpty());
                assertThat(reopened.read(reopened.startOffset(), 1 << 20)).isNotEmpty();
            }
        }
    }

    private List<String> files(String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(suffix))
                    .toList();
        }
    }

    @Test
    void retentionSettingsAreChecked() {
        assertThatThrownBy(() -> LogConfig.Retention.bytes(0)).hasMessageContaining("was 0");
        assertThatThrownBy(() -> LogConfig.Retention.age(Duration.ZERO)).hasMessageContaining("was PT0S");
        assertThatThrownBy(() -> LogConfig.defaults().withSegmentAge(Duration.ofSeconds(-1)))
                .hasMessageContaining("segmentAge must be > 0, was PT-1S");
    }
}
