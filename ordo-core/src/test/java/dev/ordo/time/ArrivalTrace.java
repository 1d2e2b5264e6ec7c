package dev.ordo.time;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * A synthetic, seeded trace of timestamped events from three sources that differ, over simulated
 * days: {@code fast} (log-normal delay, median 40 ms), {@code slow} (median 1.5 s) and {@code heavy}
 * (Pareto, scale 200 ms, shape 1.5). Each sends one event every 4 s of event time (from the
 * epoch's first day on, UTC). With the daily cycle, delays grow by the hour ({@link #cycle}, up to
 * 4x); with the regime shift, {@code fast} becomes as slow as {@code slow} halfway through. Without
 * source differences, all three sources draw from one mixture of the three.
 *
 * @param events in arrival order
 */
record ArrivalTrace(List<Event> events, int days) {

    static final long PERIOD_MILLIS = 4_000;
    static final List<String> SOURCES = List.of("fast", "slow", "heavy");

    /** One event: where from, its place in its source, its event time and when it arrives (ms). */
    record Event(String source, long sequence, long timestamp, long arrival) {}

    /** What the trace has. */
    record Shape(int days, boolean dailyCycle, boolean regimeShift, boolean sourcesDiffer, long seed) {

        static Shape full(int days, long seed) {
            return new Shape(days, true, true, true, seed);
        }

        Shape withoutDailyCycle() {
            return new Shape(days, false, regimeShift, sourcesDiffer, seed);
        }

        Shape withoutSourceDifferences() {
            return new Shape(days, dailyCycle, regimeShift, false, seed);
        }
    }

    static ArrivalTrace generate(Shape shape) {
        Random random = new Random(shape.seed());
        long end = shape.days() * Duration.ofDays(1).toMillis();
        long shiftAt = end / 2;
        List<Event> events = new ArrayList<>();
        for (int s = 0; s < SOURCES.size(); s++) {
            String source = SOURCES.get(s);
            long sequence = 0;
            for (long t = s * 1_300L; t < end; t += PERIOD_MILLIS) {
                int kind = shape.sourcesDiffer() ? s : random.nextInt(SOURCES.size());
                if (kind == 0 && shape.regimeShift() && t >= shiftAt) {
                    kind = 1;
                }
                double delay = baseDelay(kind, random) * (shape.dailyCycle() ? cycle(t) : 1);
                events.add(new Event(source, sequence++, t, t + Math.round(delay)));
            }
        }
        Event[] sorted = events.toArray(Event[]::new);
        Arrays.sort(
                sorted,
                Comparator.comparingLong(Event::arrival)
                        .thenComparingLong(Event::timestamp)
                        .thenComparing(Event::source));
        return new ArrivalTrace(List.of(sorted), shape.days());
    }

    private static double baseDelay(int kind, Random random) {
        return switch (kind) {
            case 0 -> 40 * Math.exp(0.4 * random.nextGaussian());
            case 1 -> 1_500 * Math.exp(0.6 * random.nextGaussian());
            default -> 200 * Math.pow(1 - random.nextDouble(), -1 / 1.5);
        };
    }

    /**
     * How much slower the network is at the hour of {@code timestamp}: a nightly backup hour, a
     * morning peak, a quieter lunch, an afternoon plateau and an evening peak.
     */
    static double cycle(long timestamp) {
        return CYCLE[
                (int) (Math.floorMod(timestamp, Duration.ofDays(1).toMillis())
                        / Duration.ofHours(1).toMillis())];
    }

    private static final double[] CYCLE = {
        1, 1, 4, 1, 1, 1, 1, 1, 3, 3, 3, 3, 1.5, 1.5, 2, 2, 2, 2.5, 2.5, 2.5, 2.5, 1, 1, 1
    };
}
