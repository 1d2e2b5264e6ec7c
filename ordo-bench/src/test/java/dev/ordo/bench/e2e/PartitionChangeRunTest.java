package dev.ordo.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.partition.Placement;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short paced run of the partition change benchmark through one change: every record is handled in
 * its key's order, each second the figures name has the records sent and handled in it, and the records
 * of the keys the change moved are told apart.
 */
class PartitionChangeRunTest {

    private static final int RATE = 4_000;

    @TempDir
    Path data;

    @Test
    void aPacedRunThroughAChangeHandlesEveryRecordInKeyOrderAndMeasuresEachSecond() throws Exception {
        PartitionChangeSettings settings = new PartitionChangeSettings(
                List.of(Placement.JUMP),
                List.<int[]>of(new int[] {2, 3}),
                "none",
                50,
                1_000,
                PartitionChangeRun.HEADER_BYTES,
                2,
                2,
                0,
                1,
                3,
                10_000,
                0.5,
                false);

        ChangeFigures figures = new PartitionChangeRun(settings, Placement.JUMP, new int[] {2, 3}, RATE).measure(data);

        assertThat(figures.outOfOrder()).isZero();
        assertThat(figures.sent())
                .as("4 s at the rate, sent up to 1 ms early")
                .isBetween(3L * RATE, 4L * RATE + RATE / 100);
        assertThat(figures.steadySeconds()).as("seconds 0 and 3").hasSize(2);
        for (ChangeFigures.Window second : figures.steadySeconds()) {
            assertThat(second.sentPerSecond()).isBetween(0.8 * RATE, 1.2 * RATE);
            assertThat(second.maxMillis()).isPositive();
        }
        ChangeFigures.Change change = figures.changes().get(0);
        assertThat(change.from()).isEqualTo(2);
        assertThat(change.to()).isEqualTo(3);
        assertThat(change.alterMillis()).isPositive();
        assertThat(change.during().sentPerSecond()).isBetween(0.8 * RATE, 1.2 * RATE);
        assertThat(change.during().handledPerSecond()).isPositive();
        assertThat(change.next().handledPerSecond()).isPositive();
        double movedShare = KeysMoved.share(Placement.JUMP, 2, 3, 50);
        assertThat(change.moved().records())
                .as("the records of the keys that moved, sent after the change in its second")
                .isBetween((long) (0.5 * movedShare * RATE), (long) (1.05 * movedShare * RATE));
        assertThat(change.moved().maxMillis()).isPositive();
    }
}
