package dev.ordo.bench.e2e;

import static dev.ordo.bench.e2e.EndToEndSettings.FSYNC;
import static dev.ordo.bench.e2e.EndToEndSettings.PACED_SECONDS;
import static dev.ordo.bench.e2e.EndToEndSettings.PACED_WARMUP_SECONDS;
import static dev.ordo.bench.e2e.EndToEndSettings.PEAK_SECONDS;
import static dev.ordo.bench.e2e.EndToEndSettings.REPEATS;
import static dev.ordo.bench.e2e.EndToEndSettings.SIZES;
import static dev.ordo.bench.e2e.EndToEndSettings.SUSTAIN_FROM_SECONDS;

import dev.ordo.log.engine.EmbeddedLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The end-to-end cases of {@link LogBenchmark}: for each record size and fsync policy the peak run
 * (as fast as the producer sends and the consumer keeps up), then paced runs at half of it, each
 * {@link EndToEndRun} on a fresh directory.
 */
final class EndToEndCases {

    private final RunDirectories directories;
    private final AppendCases append;
    private final double scale;

    EndToEndCases(RunDirectories directories, AppendCases append, double scale) {
        this.directories = directories;
        this.append = append;
        this.scale = scale;
    }

    /** For each record size and fsync policy: the peak run, then the paced runs at half of it. */
    List<Figure> all() throws Exception {
        List<Figure> figures = new ArrayList<>();
        for (int size : SIZES) {
            warmUp(size);
            for (String fsync : FSYNC) {
                Figure peak = peak(size, fsync);
                figures.add(peak);
                figures.addAll(paced(size, fsync, peak.recordsPerSecond() / 2));
            }
        }
        return figures;
    }

    /** The {@code paced} mode: one run at a fixed rate for {@code seconds}, after 2 s at that rate. */
    void pacedOnly(int size, double rate, double seconds) throws Exception {
        warmUp(size);
        String fsync = FSYNC.get(0);
        run(size, fsync, rate, (long) (rate * 2)); // warm-up at the measured rate
        Report.printHeader();
        Report.print(run(size, fsync, rate, (long) (rate * seconds)));
    }

    /**
     * Runs the producer-to-handler path (not only the producer) until the JIT has compiled it: a
     * measured run in a cold JVM spends its first second at ten times its later latency. Each paced
     * measurement is also preceded by a run at its own rate (see
     * {@link EndToEndSettings#PACED_WARMUP_SECONDS}; a {@code paced} run: 2 s), as JMH warms up on the
     * measured workload: warmed at another rate, the code met new branch profiles in the measured run,
     * and a scheduler trace showed a handler thread running 15 ms straight while a C2 compiler thread
     * held the other CPU (recompiling), with every other thread waiting.
     */
    private void warmUp(int size) throws Exception {
        append.ordo(size, 1, "none", (long) (200_000 * scale));
        for (int i = 0; i < 2; i++) {
            run(size, FSYNC.get(0), 0, (long) (300_000 * scale));
            run(size, FSYNC.get(0), 100_000, (long) (200_000 * scale));
        }
    }

    /**
     * The peak: long enough for the rate to be one the disk sustains. A short burst (1 M records of
     * 100 B took 0.4-0.6 s, 300 k of 1 KiB 0.3 s) lands in the page cache, and half of it was more than
     * the disk takes for 1 KiB records.
     */
    private Figure peak(int size, String fsync) throws Exception {
        return Report.print(
                PEAK_SECONDS > 0
                        ? run(size, fsync, 0, Long.MAX_VALUE, (long) (PEAK_SECONDS * 1e9 * scale), (long)
                                (SUSTAIN_FROM_SECONDS * 1e9 * scale))
                        : run(size, fsync, 0, (long) ((size == 100 ? 1_000_000 : 300_000) * scale)));
    }

    /** The paced runs at {@code rate} after a warm-up at it; with more than one, their median p99 too. */
    private List<Figure> paced(int size, String fsync, double rate) throws Exception {
        run(size, fsync, rate, (long) (rate * PACED_WARMUP_SECONDS)); // warm-up at the measured rate (see warmUp)
        List<Figure> figures = new ArrayList<>();
        double[] p99s = new double[REPEATS];
        for (int r = 0; r < REPEATS; r++) {
            Figure paced = Report.print(run(size, fsync, rate, (long) (rate * PACED_SECONDS * scale)));
            figures.add(paced);
            p99s[r] = paced.p99Micros();
        }
        if (REPEATS > 1) {
            Arrays.sort(p99s);
            System.out.printf(
                    Locale.ROOT,
                    "%d B, %s at 50%% of peak: median p99 of %d runs %,.0f us (%,.0f-%,.0f)%n",
                    size,
                    fsync,
                    REPEATS,
                    p99s[REPEATS / 2],
                    p99s[0],
                    p99s[REPEATS - 1]);
        }
        return figures;
    }

    private Figure run(int size, String fsync, double rate, long total) throws Exception {
        return run(size, fsync, rate, total, 0, 0);
    }

    private Figure run(int size, String fsync, double rate, long total, long sendForNanos, long rateFromNanos)
            throws Exception {
        Path dir = directories.fresh("e2e");
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            return new EndToEndRun(size, fsync, rate, total, sendForNanos, rateFromNanos).measure(log);
        } finally {
            directories.discard(dir);
        }
    }
}
