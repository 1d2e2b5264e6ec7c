package dev.ordo.log.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogReconfigureTest {

    @TempDir
    Path dir;

    /** Forces of segment log files, counted through the fault hook (which fails none). */
    private final AtomicInteger logForces = new AtomicInteger();

    @BeforeEach
    void countForces() {
        UninterruptibleFile.forceFault = path -> {
            if (path.getFileName().toString().endsWith(".log")) {
                logForces.incrementAndGet();
            }
            return null;
        };
    }

    @AfterEach
    void stopCounting() {
        UninterruptibleFile.forceFault = null;
    }

    private static Record rec(String value) {
        return Record.of(0, "k".getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void leavingEveryBatchForcesWhatWasWrittenAndNotYetForcedBeforeTheWeakerPolicyApplies() throws Exception {
        LogConfig everyBatch = new LogConfig(64 << 10, 512, 1024, FsyncPolicy.everyBatch());
        try (PartitionLog log = PartitionLog.open(dir, everyBatch)) {
            log.append(List.of(rec("acked")), RecordBatch.Producer.NONE);
            // Written, its force not yet made: an every-batch append between its write and its acknowledgement.
            long[] written =
                    log.appendBeforeSync(RecordBatch.Builder.of(List.of(rec("in flight"))), RecordBatch.Producer.NONE);
            assertThat(log.durableOffset()).isEqualTo(1);
            int forcesBefore = logForces.get();

            log.reconfigure(everyBatch.withFsync(FsyncPolicy.interval(Duration.ofHours(1))));

            assertThat(logForces.get())
                    .as("the written batch forced by the switch")
                    .isGreaterThan(forcesBefore);
            assertThat(log.durableOffset())
                    .as("forced before a weaker policy could let it be acknowledged unforced")
                    .isEqualTo(written[1]);
            assertThat(log.syncsEveryBatch()).isFalse();
            assertThat(log.readableEnd()).isEqualTo(2);
        }
    }

    @Test
    void aForceUnderWayCannotMoveTheDurableOffsetBackBelowWhatASwitchForced() throws Exception {
        LogConfig none = new LogConfig(64 << 10, 512, 1024, FsyncPolicy.none());
        try (PartitionLog log = PartitionLog.open(dir, none)) {
            log.append(List.of(rec("a"), rec("b"), rec("c")), RecordBatch.Producer.NONE);
            int forcesBefore = logForces.get();
            log.reconfigure(none.withFsync(FsyncPolicy.everyBatch()));
            assertThat(logForces.get())
                    .as("what was pending at the switch forced")
                    .isGreaterThan(forcesBefore);
            assertThat(log.durableOffset()).isEqualTo(3);
            // A group commit's force that read an older end covers less: the durable offset stays.
            log.awaitDurable(2);
            assertThat(log.durableOffset()).isEqualTo(3);
            assertThat(log.readableEnd()).isEqualTo(3);
        }
    }
}
