package dev.ordo.sequence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.ManualTicker;
import dev.ordo.time.ArrivalModel;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link GapPolicy#skipAfter(ArrivalModel, double)}: each source's gaps wait what that source needs. */
class LearnedGapTimeoutTest {

    private final ManualTicker ticker = new ManualTicker();
    private final InstantSource dayClock = () -> Instant.ofEpochMilli(ticker.read() / 1_000_000);
    private final List<String> out = new ArrayList<>();

    private Resequencer<String, String> build(ArrivalModel model) {
        return Resequencer.<String, String>builder()
                .ticker(ticker)
                .gapPolicy(GapPolicy.skipAfter(model, 0.99))
                .build((source, sequence, message) -> out.add(source + ":" + sequence));
    }

    @Test
    void aFastSourcesGapIsSkippedSoonerThanASlowSourcesGap() {
        ArrivalModel model = ArrivalModel.hourly().withDayClock(dayClock);
        for (int i = 0; i < 100; i++) {
            model.record("fast", 0, 20);
            model.record("slow", 0, 2_000);
        }
        Resequencer<String, String> r = build(model);
        r.offer("fast", 1, "m");
        r.offer("slow", 1, "m");

        ticker.advance(Duration.ofMillis(50));
        r.tick();
        assertThat(out).containsExactly("fast:1");

        ticker.advance(Duration.ofMillis(2_300));
        r.tick();
        assertThat(out).containsExactly("fast:1", "slow:1");
    }

    @Test
    void gapsThatFillTeachTheModelHowLongTheirSourceTakes() {
        ArrivalModel model =
                ArrivalModel.hourly().withDefault(Duration.ofSeconds(10)).withDayClock(dayClock);
        Resequencer<String, String> r = build(model);
        long sequence = 0;
        for (int i = 0; i < 40; i++) {
            r.offer("a", sequence + 1, "m");
            ticker.advance(Duration.ofMillis(30));
            r.offer("a", sequence, "m");
            sequence += 2;
        }
        assertThat(model.bound("a", dayClock.millis(), 0.99)).isBetween(30L, 31L);
        assertThat(GapPolicy.skipAfter(model, 0.5).toString()).startsWith("skipAfter(ArrivalModel[");
    }
}
