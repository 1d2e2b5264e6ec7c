package dev.ordo.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * The ledger demo over random channels, wide ranges of every option: whatever the channel does (lose
 * nine copies in ten, duplicate every one, reorder across more than the resequencer holds), a run ends,
 * either passed or halted on what stays missing, and what was applied is exactly the teller-order prefix
 * of what was released. Never a skipped operation, never a wrong balance, never a hang.
 */
class LedgerSweepProperties {

    @Property(tries = 200)
    void everyRunEndsPassedOrCleanlyHaltedAndTheAppliedPrefixMatchesTheReference(
            @ForAll @DoubleRange(min = 0, max = 0.9) double dropRate,
            @ForAll @DoubleRange(min = 0, max = 1) double duplicateRate,
            @ForAll @IntRange(min = 1, max = 200_000) int reorderWindow,
            @ForAll @IntRange(min = 1, max = 128) int tellers,
            @ForAll @IntRange(min = 0, max = 200) int accountsBeyondTellers,
            @ForAll @IntRange(min = 1, max = 64) int threads,
            @ForAll @IntRange(min = 0, max = 1_500) int operations,
            @ForAll long seed)
            throws Exception {
        LedgerSimulation.Config config = new LedgerSimulation.Config(
                tellers + accountsBeyondTellers,
                operations,
                tellers,
                reorderWindow,
                duplicateRate,
                dropRate,
                seed,
                threads,
                true,
                Duration.ofMillis(200));

        LedgerSimulation.Result result = new LedgerSimulation(config).run();
        Statistics.collect(result.outcome());

        assertThat(result.outcome()).as(summary(result)).isNotEqualTo(LedgerSimulation.Outcome.FAIL);
        assertThat(result.accountsMatching()).as(summary(result)).isEqualTo(config.accounts());
        assertThat(result.resequencer().skipped())
                .as("strict order skips nothing")
                .isZero();
        assertThat(result.resequenced().isClean())
                .as(result.resequenced().summary())
                .isTrue();
        assertThat(result.applied().isClean()).as(result.applied().summary()).isTrue();
        if (result.outcome() == LedgerSimulation.Outcome.HALTED) {
            assertThat(result.halted()).as("a halt says what it waits for").isNotEmpty();
        } else {
            assertThat(result.operationsReleased()).isEqualTo(operations);
        }
    }

    private static String summary(LedgerSimulation.Result r) {
        return r.outcome() + ", " + r.operationsReleased() + " released, " + r.accountsMatching() + " of "
                + r.config().accounts() + " accounts match; halted: " + r.halted();
    }
}
