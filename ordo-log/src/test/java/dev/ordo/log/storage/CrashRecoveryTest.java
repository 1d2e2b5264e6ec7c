package dev.ordo.log.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.ChildJvm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM that appends (with fsync on every batch, and without) at random moments (SIGKILL, like
 * {@code kill -9}), 20 times ({@code ordo.crash.cycles}; 500 under {@code -Pchaos}) over the same data
 * directory, and checks after each restart that
 * every acknowledged record is there, intact and in order, and that offsets continue without a gap.
 */
class CrashRecoveryTest {

    private static final int CYCLES = Integer.getInteger("ordo.crash.cycles", 20);

    @TempDir
    Path root;

    @Test
    @Timeout(value = 60, unit = TimeUnit.MINUTES) // the crash cycles' own budget is shorter: ChildJvm.withinCycles
    void everyAcknowledgedRecordSurvivesKillDashNine() {
        ChildJvm.withinCycles(CYCLES, () -> killAndRestart("every-batch", 20261125));
    }

    /**
     * Without fsync and with 16 KiB segments: a kill often comes while a sealed segment waits for the
     * background force (6 of 20 restarts found one past the recovery point, counted once), and the
     * restart must take it as it is (the OS kept its bytes).
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.MINUTES)
    void everyAppendedRecordSurvivesKillDashNineWithSealedSegmentsNotYetForced() {
        ChildJvm.withinCycles(CYCLES, () -> killAndRestart("none", 20261126));
    }

    private void killAndRestart(String fsync, long seed) throws Exception {
        Random random = new Random(seed);
        long acknowledgedUpTo = -1;
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            Process child = new ProcessBuilder(List.of(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-cp",
                            System.getProperty("java.class.path"),
                            CrashChild.class.getName(),
                            root.toString(),
                            fsync))
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            int killAfter = 1 + random.nextInt(150);
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String open = out.readLine();
                assertThat(open).as("cycle %d", cycle).startsWith("OPEN ");
                assertThat(Long.parseLong(open.split(" ")[1]))
                        .as("restart continues after every acknowledged record")
                        .isGreaterThan(acknowledgedUpTo);
                for (int acks = 0; acks < killAfter; acks++) {
                    String line = out.readLine();
                    assertThat(line).startsWith("ACK ");
                    acknowledgedUpTo = Long.parseLong(line.split(" ")[2]);
                }
                child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close()
                assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
            }
            verify(acknowledgedUpTo);
        }
    }

    private void verify(long acknowledgedUpTo) throws Exception {
        try (DataDirectory data = DataDirectory.open(root);
                PartitionLog log = PartitionLog.open(
                        data.partitionDirectory("crash", 0),
                        new LogConfig(64 * 1024, 1024, 16 * 1024, FsyncPolicy.none()))) {
            assertThat(log.nextOffset()).isGreaterThan(acknowledgedUpTo);
            long expected = 0;
            while (expected <= acknowledgedUpTo) {
                List<Record> chunk = log.read(expected, 64 * 1024);
                assertThat(chunk).isNotEmpty();
                for (Record r : chunk) {
                    assertThat(r.offset()).isEqualTo(expected);
                    assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("value-" + expected);
                    expected++;
                }
            }
        }
    }
}
