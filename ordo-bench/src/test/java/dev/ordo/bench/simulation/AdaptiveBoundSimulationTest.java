package dev.ordo.bench.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.time.AdaptiveBound;
import dev.ordo.time.WatermarkStrategy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The claim of the adaptive bound, on a network whose delays quadruple mid-run: against the best
 * fixed bound for the first phase it has far fewer late events after the shift at about the same
 * latency before it; against the fixed bound needed after the shift it is much faster before it.
 */
class AdaptiveBoundSimulationTest {

    @Test
    void adaptiveBoundFollowsADelayShiftThatAFixedBoundCannot() {
        AdaptiveBoundSimulation sim = new AdaptiveBoundSimulation(40_000, 20, 80, 0.5, 7L);
        long bestBefore = sim.bestFixedBoundForFirstPhase(0.99);
        long bestAfter = sim.bestFixedBoundForSecondPhase(0.99);
        AdaptiveBoundSimulation.Outcome fixedBefore =
                sim.run("fixed", WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofMillis(bestBefore)));
        AdaptiveBoundSimulation.Outcome fixedAfter =
                sim.run("fixed for phase 2", WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofMillis(bestAfter)));
        AdaptiveBoundSimulation.Outcome adaptive = sim.run(
                "adaptive",
                WatermarkStrategy.forAdaptiveOutOfOrderness(
                        AdaptiveBound.targeting(0.99).withHalfLife(2_000).withInitial(Duration.ofMillis(bestBefore))));

        assertThat(fixedBefore.after().lateShare())
                .as("the fixed bound breaks after the shift")
                .isGreaterThan(0.2);
        assertThat(adaptive.after().lateShare()).as("adaptive after the shift").isLessThan(0.02);
        assertThat(adaptive.before().lateShare())
                .as("adaptive before the shift")
                .isLessThan(0.02);
        assertThat(adaptive.before().meanLatencyMillis())
                .as("adaptive latency before the shift is close to the best fixed bound's")
                .isLessThan(fixedBefore.before().meanLatencyMillis() * 1.25);
        assertThat(adaptive.before().meanLatencyMillis())
                .as("and far below the bound a fixed configuration needs for the second phase")
                .isLessThan(fixedAfter.before().meanLatencyMillis() / 2);
    }
}
