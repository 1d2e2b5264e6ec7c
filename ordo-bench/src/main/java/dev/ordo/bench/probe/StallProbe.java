package dev.ordo.bench.probe;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Measures how late a thread that wakes every 200 us actually runs, to tell the machine's own stalls
 * from a program's: run it in a JVM of its own next to a benchmark (and once without). On the
 * benchmark VM it showed 6-38 ms stalls every 100 ms while the embedded log forced 8 files every
 * 5 ms, and none above 3 ms without that load (BENCHMARKS.md, "Machine effects behind the tail").
 *
 * <pre>java -cp ordo-bench/target/benchmarks.jar dev.ordo.bench.probe.StallProbe [seconds]</pre>
 *
 * Prints the lateness percentiles, the time spent more than 1 ms late, and how the 10 ms slots with
 * a stall above 3 ms fall within each 100 ms (a periodic cause piles them up in one phase).
 */
public final class StallProbe {

    private static final long PERIOD_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    private static final long SLOT_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private StallProbe() {}

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
        Histogram lateness = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        long[] slotMax = new long[(int) Math.ceil(seconds * 1e9 / SLOT_NANOS)];
        long begin = System.nanoTime();
        long due = begin;
        long lateTotal = 0;
        while (true) {
            due += PERIOD_NANOS;
            long now = System.nanoTime();
            if (due - now > 0) {
                LockSupport.parkNanos(due - now);
                now = System.nanoTime();
            }
            int slot = (int) ((due - begin) / SLOT_NANOS);
            if (slot >= slotMax.length) {
                break;
            }
            long late = Math.max(0, now - due);
            lateness.recordValue(Math.min(late, lateness.getHighestTrackableValue()));
            slotMax[slot] = Math.max(slotMax[slot], late);
            if (late > 1_000_000) {
                lateTotal += late;
                due = now; // one stall is counted once, not again for every period it covered
            }
        }
        int[] byPhase = new int[10];
        for (int s = 0; s < slotMax.length; s++) {
            if (slotMax[s] > 3_000_000) {
                byPhase[s % 10]++;
            }
        }
        System.out.printf(
                Locale.ROOT,
                "lateness over %.0f s: p50 %d us, p99 %d us, p99.9 %d us, max %d us; %d ms spent more than 1 ms late%n",
                seconds,
                lateness.getValueAtPercentile(50) / 1000,
                lateness.getValueAtPercentile(99) / 1000,
                lateness.getValueAtPercentile(99.9) / 1000,
                lateness.getMaxValue() / 1000,
                lateTotal / 1_000_000);
        System.out.println(
                "10 ms slots with a stall above 3 ms, by position within each 100 ms: " + Arrays.toString(byPhase));
    }
}
