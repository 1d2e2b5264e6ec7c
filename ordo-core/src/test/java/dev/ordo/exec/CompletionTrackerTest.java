package dev.ordo.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CompletionTrackerTest {

    private final CompletionTracker tracker = new CompletionTracker();

    @Test
    void theCommitPointIsTheHighestOffsetBelowWhichEverythingFinished() {
        for (long o = 10; o < 15; o++) {
            tracker.register(0, o);
        }
        assertThat(tracker.highestContiguousCompleted(0)).isEqualTo(-1);
        tracker.complete(0, 12);
        tracker.complete(0, 11);
        assertThat(tracker.highestContiguousCompleted(0)).as("10 still running").isEqualTo(-1);
        tracker.complete(0, 10);
        assertThat(tracker.highestContiguousCompleted(0)).isEqualTo(12);
        tracker.complete(0, 14);
        assertThat(tracker.highestContiguousCompleted(0)).isEqualTo(12);
        assertThat(tracker.pending(0)).isEqualTo(2);
        tracker.complete(0, 13);
        assertThat(tracker.highestContiguousCompleted(0)).isEqualTo(14);
        assertThat(tracker.pending(0)).isZero();
    }

    @Test
    void offsetsNeedNotBeContiguousAndPartitionsAreIndependent() {
        tracker.register(0, 5);
        tracker.register(0, 9);
        tracker.register(1, 0);
        tracker.complete(0, 9);
        tracker.complete(1, 0);
        assertThat(tracker.highestContiguousCompleted(0)).isEqualTo(-1);
        assertThat(tracker.highestContiguousCompleted(1)).isZero();
        tracker.complete(0, 5);
        assertThat(tracker.highestContiguousCompleted(0)).isEqualTo(9);
    }

    @Test
    void registeringTogetherIsRegisteringOneByOneAndAllOrNothing() {
        tracker.register(0, 3);
        tracker.registerAll(0, new long[] {4, 6, 7, 99}, 3);
        assertThat(tracker.pending(0)).isEqualTo(4);
        assertThatThrownBy(() -> tracker.registerAll(0, new long[] {8, 10, 9}, 3))
                .hasMessage("offset must be > the previous offset 10 of partition 0, was 9");
        assertThatThrownBy(() -> tracker.registerAll(0, new long[] {7}, 1))
                .hasMessage("offset must be > the last registered offset 7 of partition 0, was 7");
        assertThatThrownBy(() -> tracker.registerAll(0, new long[] {8}, 2)).hasMessageContaining("count");
        assertThat(tracker.pending(0)).as("nothing of the refused calls").isEqualTo(4);
        for (long o : new long[] {7, 4, 6}) {
            tracker.complete(0, o);
        }
        assertThat(tracker.highestContiguousCompleted(0)).isEqualTo(-1);
        tracker.complete(0, 3);
        assertThat(tracker.highestContiguousCompleted(0)).isEqualTo(7);
        tracker.registerAll(0, new long[] {8}, 1);
        assertThat(tracker.pending(0)).isEqualTo(1);
    }

    @Test
    void growsBeyondItsInitialRing() {
        for (long o = 0; o < 1_000; o++) {
            tracker.register(3, o);
        }
        for (long o = 999; o >= 1; o--) {
            tracker.complete(3, o);
        }
        assertThat(tracker.highestContiguousCompleted(3)).isEqualTo(-1);
        tracker.complete(3, 0);
        assertThat(tracker.highestContiguousCompleted(3)).isEqualTo(999);
    }

    @Test
    void badInputIsRefusedAndStateIsIntact() {
        tracker.register(0, 5);
        assertThatThrownBy(() -> tracker.register(0, 5))
                .hasMessage("offset must be > the last registered offset 5 of partition 0, was 5");
        assertThatThrownBy(() -> tracker.register(0, -1)).hasMessage("offset must be >= 0, was -1");
        assertThatThrownBy(() -> tracker.register(-1, 0)).hasMessage("partition must be >= 0, was -1");
        assertThatThrownBy(() -> tracker.complete(0, 6)).hasMessageContaining("not registered");
        assertThatThrownBy(() -> tracker.complete(2, 6)).hasMessageContaining("never registered");
        tracker.complete(0, 5);
        assertThatThrownBy(() -> tracker.complete(0, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThat(tracker.highestContiguousCompleted(0)).isEqualTo(5);
    }

    @Test
    void aForgottenPartitionStartsAfreshAndRefusesOldCompletions() {
        CompletionTracker tracker = new CompletionTracker();
        tracker.register(3, 100);
        tracker.register(3, 101);
        tracker.complete(3, 100);
        tracker.forget(3);
        assertThat(tracker.highestContiguousCompleted(3)).isEqualTo(-1);
        tracker.register(3, 50); // handed back later, from an older committed offset
        assertThatThrownBy(() -> tracker.complete(3, 101)).isInstanceOf(IllegalArgumentException.class);
        tracker.complete(3, 50);
        assertThat(tracker.highestContiguousCompleted(3)).isEqualTo(50);
    }

    @Test
    void theOffsetsFinishedBehindAnUnfinishedOneAreListed() {
        CompletionTracker tracker = new CompletionTracker();
        for (long o = 10; o < 16; o++) {
            tracker.register(0, o);
        }
        tracker.complete(0, 10);
        tracker.complete(0, 12);
        tracker.complete(0, 13);
        tracker.complete(0, 15);
        assertThat(tracker.highestContiguousCompleted(0)).isEqualTo(10);
        assertThat(tracker.completedAbove(0, 10)).containsExactly(12, 13, 15);
        assertThat(tracker.completedAbove(0, 2)).containsExactly(12, 13);
        assertThat(tracker.completedAbove(7, 10)).isEmpty();
    }
}
