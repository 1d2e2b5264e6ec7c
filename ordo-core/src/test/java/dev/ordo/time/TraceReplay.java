package dev.ordo.time;

import dev.ordo.ManualTicker;
import java.util.Arrays;
import java.util.List;

/**
 * Replays an {@link ArrivalTrace} through an {@link EventTimeReorderer} in simulated time (a
 * {@link ManualTicker} at each arrival) and measures what a watermark strategy costs: the share of
 * late events, and the added latency of the others (release minus arrival), mean and p99.
 */
final class TraceReplay {

    /** What one strategy did with a trace. */
    record Outcome(String name, long events, long late, double meanWaitMillis, double p99WaitMillis) {

        double lateShare() {
            return (double) late / events;
        }

        @Override
        public String toString() {
            return String.format(
                    java.util.Locale.ROOT,
                    "| %s | %.3f%% | %.0f | %.0f |",
                    name,
                    100 * lateShare(),
                    meanWaitMillis,
                    p99WaitMillis);
        }
    }

    private TraceReplay() {}

    static Outcome run(String name, ArrivalTrace trace, WatermarkStrategy strategy) {
        List<ArrivalTrace.Event> events = trace.events();
        int n = events.size();
        long[] releasedAt = new long[n];
        long[] now = {0};
        ManualTicker ticker = new ManualTicker();
        EventTimeReorderer<String, Integer> reorderer = EventTimeReorderer.<String, Integer>builder()
                .watermarks(strategy)
                .sources(ArrivalTrace.SOURCES)
                .ticker(ticker)
                .maxBuffered(n)
                .build(e -> releasedAt[e.payload()] = now[0]);
        boolean[] late = new boolean[n];
        for (int i = 0; i < n; i++) {
            ArrivalTrace.Event e = events.get(i);
            ticker.advanceNanos((e.arrival() - now[0]) * 1_000_000);
            now[0] = e.arrival();
            late[i] = reorderer.offer(e.source(), e.sequence(), e.timestamp(), i) != EventTimeReorderer.Offer.ACCEPTED;
        }
        reorderer.flush();
        long lateCount = 0;
        long[] waits = new long[n];
        int onTime = 0;
        for (int i = 0; i < n; i++) {
            if (late[i]) {
                lateCount++;
            } else {
                waits[onTime++] = releasedAt[i] - events.get(i).arrival();
            }
        }
        long[] sorted = Arrays.copyOf(waits, onTime);
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).average().orElse(0);
        double p99 = onTime == 0 ? 0 : sorted[(int) Math.min(onTime - 1, (long) (onTime * 0.99))];
        return new Outcome(name, n, lateCount, mean, p99);
    }
}
