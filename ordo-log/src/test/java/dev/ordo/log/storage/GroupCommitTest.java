package dev.ordo.log.storage;

import static dev.ordo.log.storage.PartitionLogTest.rec;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Eight producers appending with fsync per batch share forces instead of queueing one each. */
class GroupCommitTest {

    @TempDir
    Path dir;

    @Test
    void concurrentAppendersShareFsyncsAndEveryAppendIsAcknowledgedOnce() throws Exception {
        int producers = 8;
        int appendsEach = 150;
        Set<Long> offsets = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(producers);
        try (PartitionLog log =
                PartitionLog.open(dir, new LogConfig(1 << 20, 4_096, 1 << 16, FsyncPolicy.everyBatch()))) {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int producer = p;
                done.add(CompletableFuture.runAsync(
                        () -> {
                            for (int i = 0; i < appendsEach; i++) {
                                try {
                                    offsets.add(
                                            log.append(List.of(rec(producer + "-" + i)), RecordBatch.Producer.NONE));
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            }
                        },
                        pool));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertThat(offsets).hasSize(producers * appendsEach);
            assertThat(log.nextOffset()).isEqualTo(producers * appendsEach);
            assertThat(log.fsyncCount())
                    .as("forces shared between concurrent appenders")
                    .isLessThan(producers * appendsEach);
        } finally {
            pool.shutdown();
        }
    }
}
