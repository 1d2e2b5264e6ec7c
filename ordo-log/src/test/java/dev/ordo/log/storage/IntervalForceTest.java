package dev.ordo.log.storage;

import static dev.ordo.log.storage.PartitionLogTest.rec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interval forces of an engine's partitions run on its flusher's one timer and bounded pool, and
 * each partition is forced.
 */
class IntervalForceTest {

    @TempDir
    Path dir;

    @AfterEach
    void clearCounting() {
        UninterruptibleFile.forceFault = null;
    }

    @Test
    void manyIntervalLogsShareABoundedPoolAndEveryOneIsForced() throws Exception {
        Map<Path, AtomicInteger> forces = new ConcurrentHashMap<>();
        UninterruptibleFile.forceFault = path -> {
            forces.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            return null; // counted, then forced
        };
        LogConfig config = new LogConfig(1 << 20, 4_096, 1 << 16, FsyncPolicy.interval(Duration.ofMillis(10)));
        List<PartitionLog> logs = new ArrayList<>();
        LogFlusher flusher = LogFlusher.start();
        BackgroundDeleter deleter = BackgroundDeleter.start();
        try {
            for (int p = 0; p < 40; p++) {
                PartitionLog log = PartitionLog.open(dir.resolve("t-" + p), config, flusher, deleter);
                logs.add(log);
                log.append(List.of(rec("v" + p)), RecordBatch.Producer.NONE);
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> IntStream.range(0, logs.size())
                            .allMatch(p ->
                                    forces.containsKey(dir.resolve("t-" + p).resolve("00000000000000000000.log"))));
            long flushThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("ordo-log-flush"))
                    .count();
            assertThat(flushThreads)
                    .as("one timer and at most 16 forcing threads for 40 partitions")
                    .isLessThanOrEqualTo(17);
        } finally {
            for (PartitionLog log : logs) {
                log.close();
            }
            flusher.close();
            deleter.close();
        }
        // Closed: no more ticks, no more forces.
        int after = forces.values().stream().mapToInt(AtomicInteger::get).sum();
        await().during(Duration.ofMillis(100))
                .atMost(Duration.ofSeconds(1))
                .until(() ->
                        forces.values().stream().mapToInt(AtomicInteger::get).sum() == after);
    }
}
