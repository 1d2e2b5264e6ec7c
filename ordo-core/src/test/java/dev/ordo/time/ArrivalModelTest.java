package dev.ordo.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ArrivalModelTest {

    private static final long HOUR = Duration.ofHours(1).toMillis();
    private static final long NINE = 9 * HOUR;
    private static final long THREE = 3 * HOUR;

    private final ArrivalModel model = ArrivalModel.hourly().withDefault(Duration.ofMillis(500));

    private void record(String source, long at, long delay, int times) {
        for (int i = 0; i < times; i++) {
            model.record(source, at, delay);
        }
    }

    @Test
    void aNegativeDelayIsRefusedNamingFieldAndValueAndLeavesTheModelAsItWas() {
        assertThatThrownBy(() -> model.record("a", NINE, -3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("delayMillis must be >= 0, was -3");
        assertThat(model.samples()).isZero();
        assertThat(model.sources()).isZero();
    }

    @Test
    void aQuantileOutsideZeroToOneIsRefusedNamingFieldAndValue() {
        for (double q : new double[] {0, 1, -0.5, 1.5, Double.NaN}) {
            assertThatThrownBy(() -> model.bound("a", NINE, q))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("quantile must be in (0, 1), was " + q);
        }
        assertThatThrownBy(() -> WatermarkStrategy.forLearnedOutOfOrderness(model, 1.0))
                .hasMessage("quantile must be in (0, 1), was 1.0");
        assertThatThrownBy(() -> model.predict("a", NINE, -1, 10)).hasMessage("missingForMillis must be >= 0, was -1");
        assertThatThrownBy(() -> ArrivalModel.hourly().withTimeOfDayBuckets(0))
                .hasMessage("timeOfDayBuckets must be >= 1, was 0");
        assertThatThrownBy(() -> ArrivalModel.hourly().withHalfLife(10)).hasMessage("halfLife must be >= 64, was 10");
    }

    @Test
    void beforeAnythingIsLearnedTheBoundIsTheDefault() {
        assertThat(model.bound("a", NINE, 0.99)).isEqualTo(500);
        assertThat(ArrivalModel.hourly().bound("a", NINE, 0.99)).isZero();
    }

    @Test
    void aColdSourceOrHourFallsBackToTheSourceThenToAllSources() {
        record("slow", NINE, 1_000, 40);

        assertThat(model.bound("slow", THREE, 0.5)).as("the source's whole day").isBetween(1_000L, 1_125L);
        assertThat(model.bound("new", NINE, 0.5)).as("all sources").isBetween(1_000L, 1_125L);
        record("slow", THREE, 10, 40);
        assertThat(model.bound("slow", THREE, 0.5))
                .as("its own hour, once it knows enough")
                .isEqualTo(10);
    }

    @Test
    void eachSourceAndEachHourIsLearnedApart() {
        record("fast", NINE, 10, 100);
        record("slow", NINE, 2_000, 100);
        record("slow", THREE, 200, 100);

        assertThat(model.bound("fast", NINE, 0.99)).isEqualTo(10);
        assertThat(model.bound("slow", NINE, 0.99)).isBetween(2_000L, 2_250L);
        assertThat(model.bound("slow", THREE + Duration.ofDays(5).toMillis(), 0.99))
                .as("the same hour on a later day")
                .isBetween(200L, 225L);
    }

    @Test
    void aRegimeShiftIsFollowedWithinAFewHalfLives() {
        ArrivalModel shifting = ArrivalModel.hourly().withHalfLife(100);
        for (int i = 0; i < 1_000; i++) {
            shifting.record("a", NINE, 10);
        }
        for (int i = 0; i < 300; i++) {
            shifting.record("a", NINE, 1_000);
        }
        assertThat(shifting.bound("a", NINE, 0.5)).as("the median").isBetween(1_000L, 1_125L);
    }

    @Test
    void predictIsTheShareOfTheLongerDelaysThatArriveWithinTheFurtherWait() {
        record("a", NINE, 10, 50);
        record("a", NINE, 100, 50);

        assertThat(model.predict("a", NINE, 50, 100))
                .as("only the 100 ms ones are left")
                .isEqualTo(1.0);
        assertThat(model.predict("a", NINE, 0, 20)).isCloseTo(0.5, within(0.01));
        assertThat(model.predict("a", NINE, 200, 1_000))
                .as("never seen that late")
                .isZero();
        assertThat(ArrivalModel.hourly().withDefault(Duration.ofMillis(500)).predict("a", NINE, 100, 1_000))
                .as("cold: the default as a certainty")
                .isEqualTo(1.0);
    }

    @Test
    void sourcesBeyondTheLimitAreLearnedOnlyAsPartOfAllSources() {
        ArrivalModel bounded = ArrivalModel.hourly().withMaxSources(2);
        for (String source : new String[] {"a", "b", "c"}) {
            for (int i = 0; i < 40; i++) {
                bounded.record(source, NINE, source.equals("c") ? 5_000 : 10);
            }
        }
        assertThat(bounded.sources()).isEqualTo(2);
        assertThat(bounded.bound("c", NINE, 0.5)).as("from all sources").isEqualTo(10);
        assertThat(bounded.samples()).isEqualTo(120);
    }

    @Test
    void theLearnedWatermarkFollowsTheHourOfTheEvents() {
        ArrivalModel learned = ArrivalModel.hourly().withMinSamples(8).withHalfLife(64);
        EventTimeReorderer<String, Long> reorderer = EventTimeReorderer.<String, Long>builder()
                .watermarks(WatermarkStrategy.forLearnedOutOfOrderness(learned, 0.99))
                .build(e -> {});
        // Hour 9: every other event 1 s behind; hour 3: in order.
        long t = NINE;
        for (int i = 0; i < 50; i++, t += 2_000) {
            reorderer.offer("a", 2 * i, t + 2_000, t);
            reorderer.offer("a", 2 * i + 1, t + 1_000, t);
        }
        assertThat(reorderer.stats().boundMillis()).isBetween(1_000L, 1_125L);
        t = THREE + Duration.ofDays(1).toMillis();
        for (int i = 0; i < 20; i++, t += 1_000) {
            reorderer.offer("a", 1_000 + i, t, t);
        }
        assertThat(reorderer.stats().boundMillis()).isZero();
        assertThat(reorderer.currentWatermark()).isEqualTo(t - 1_000 - 1);
    }
}
