package dev.ordo.bench.e2e;

import dev.ordo.bench.e2e.PartitionChangeReport.Runs;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.partition.Placement;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * What a change of a topic's partition count ({@link EmbeddedLog#alterPartitions}) costs, per placement
 * ({@link Placement#KAFKA}, {@link Placement#JUMP}) and per sequence of counts; with the default settings
 * (sequences 4, 8, 16, 6, 3 and 4, 5, 7; about two and a half minutes in all):
 *
 * <ol>
 *   <li><b>Keys moved</b>: the share of 100,000 keys whose partition each step changes, and the least
 *       any placement must move (computed, no engine).</li>
 *   <li><b>Throughput</b>: one producer sends 100 B records to 10,000 keys in turn as fast as a group of
 *       three consumers (KEY ordering, 4 handler threads each, a handler that only records) keeps up with
 *       (at most 100,000 records ahead), fsync {@code interval:100ms}; records handled in the second each
 *       change begins in and in the second after, against the steady seconds of the same run (before the
 *       first change, and from two seconds after each); and how long {@code alterPartitions} took (the
 *       producer's pause).</li>
 *   <li><b>Latency</b>: a second run paced at half the first run's steady rate; the p99 and largest
 *       latency (send, or the scheduled send when late, to the handler) of the records sent in each
 *       change second against the steady seconds'; and of them, the records of the keys the change moved
 *       sent after it (those the fence may hold back), from their send.</li>
 * </ol>
 *
 * A short run of the first placement and step, not counted, warms the JVM up first. Every record's key
 * order is checked by the handlers; a run fails if not every record sent is handled.
 * The settings are {@code -Dpc.*} properties ({@link PartitionChangeSettings}). Run from the repository's
 * root (then the tables also go to {@code ordo-bench/results/partition-change-<date>.md}):
 * <pre>
 * java -cp ordo-bench/target/benchmarks.jar dev.ordo.bench.e2e.PartitionChangeBenchmark [DIR]
 * </pre>
 * {@code DIR} is where the data goes (default: a temporary directory; each run's is deleted after it).
 */
public final class PartitionChangeBenchmark {

    private PartitionChangeBenchmark() {}

    public static void main(String[] args) throws Exception {
        PartitionChangeSettings settings = PartitionChangeSettings.fromSystemProperties();
        Path root = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("ordo-partition-change");
        OtherLoad otherLoad = OtherLoad.start();
        PartitionChangeReport report = new PartitionChangeReport(settings);
        String moved = report.keysMoved();
        System.out.println(moved);
        RunDirectories directories = new RunDirectories(root);
        int[] first = settings.sequences().get(0);
        run(directories, settings, settings.placements().get(0), Arrays.copyOf(first, 2), 0); // JIT warm-up
        List<Runs> runs = new ArrayList<>();
        StringBuilder details = new StringBuilder();
        for (Placement placement : settings.placements()) {
            for (int[] counts : settings.sequences()) {
                ChangeFigures loaded = run(directories, settings, placement, counts, 0);
                double rate = settings.pacedShare() * loaded.steady().handledPerSecond();
                Runs pair = new Runs(loaded, run(directories, settings, placement, counts, rate));
                runs.add(pair);
                String detail = report.detail(pair);
                System.out.println(detail);
                details.append(detail).append('\n');
            }
        }
        String summary = report.summary(runs);
        System.out.println(summary);
        String machine = machine(otherLoad);
        System.out.println(machine);
        writeResults(settings, args, machine, moved, summary, details.toString());
    }

    private static ChangeFigures run(
            RunDirectories directories,
            PartitionChangeSettings settings,
            Placement placement,
            int[] counts,
            double rate)
            throws IOException {
        String name = placement.text() + "-"
                + Arrays.stream(counts).mapToObj(Integer::toString).collect(Collectors.joining("-"))
                + (rate > 0 ? "-paced" : "-loaded"); // the directory's name
        System.err.printf(
                Locale.ROOT,
                "%s %s, %s%n",
                LocalTime.now().truncatedTo(ChronoUnit.SECONDS),
                name,
                rate > 0 ? String.format(Locale.ROOT, "paced at %,.0f/s", rate) : "as fast as the group keeps up");
        Path dir = directories.fresh(name);
        try {
            return new PartitionChangeRun(settings, placement, counts, rate).measure(dir);
        } finally {
            directories.discard(dir);
        }
    }

    /**
     * Appends the run to {@code ordo-bench/results/partition-change-<date>.md} when run from the repository's
     * root (a second run on one day goes below the first, under a heading of its own).
     */
    private static void writeResults(
            PartitionChangeSettings settings,
            String[] args,
            String machine,
            String moved,
            String summary,
            String details)
            throws IOException {
        Path out = Path.of("ordo-bench", "results", "partition-change-" + LocalDate.now() + ".md");
        if (!Files.isDirectory(out.getParent())) {
            return;
        }
        String text = String.format(
                Locale.ROOT,
                "## Run at %s%n%n"
                        + "Command: `java %s-cp ordo-bench/target/benchmarks.jar dev.ordo.bench.e2e.PartitionChangeBenchmark"
                        + "%s` at commit %s.%n%n"
                        + "%s%n%n"
                        + "fsync `%s`; %,d keys sent to in turn, %d B records; a group of %d members (KEY ordering,"
                        + " %d handler threads each); %d s warm-up, %d s steady, a change every %d s.%n%n"
                        + "Keys moved (of %,d keys):%n%n%s%n"
                        + "Summary (each change against the steady seconds of its own run):%n%n%s%n"
                        + "Every window:%n%n%s",
                LocalTime.now().truncatedTo(ChronoUnit.MINUTES),
                PartitionChangeSettings.givenProperties(),
                args.length > 0 ? " " + String.join(" ", args) : "",
                commit(),
                machine,
                settings.fsync(),
                settings.keys(),
                settings.recordBytes(),
                settings.members(),
                settings.concurrency(),
                settings.warmupSeconds(),
                settings.baselineSeconds(),
                settings.gapSeconds(),
                settings.movedKeys(),
                moved,
                summary,
                details);
        String title = "# PartitionChangeBenchmark, " + LocalDate.now() + "\n\n";
        Files.writeString(
                out,
                Files.exists(out) ? "\n" + text : title + text,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        System.out.println("written to " + out);
    }

    /** The machine, and how busy other processes kept it during the run. */
    private static String machine(OtherLoad otherLoad) {
        int cores = Runtime.getRuntime().availableProcessors();
        String others = otherLoad.cores().isPresent()
                ? String.format(
                        Locale.ROOT,
                        "other processes kept %.2f of the %d vCPUs busy on average during the run (the machine's CPU"
                                + " time less this JVM's)",
                        otherLoad.cores().getAsDouble(),
                        cores)
                : "how busy other processes kept the machine is not known (no /proc/stat)";
        return String.format(
                Locale.ROOT,
                "Machine: %d vCPUs, %s %s, %s %s; %s. Each figure is of one run, in 1 s windows.",
                cores,
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                System.getProperty("os.name"),
                System.getProperty("os.version"),
                others);
    }

    /** The commit checked out in the working directory ("-dirty" if it has changes), or "unknown" without git. */
    private static String commit() {
        try {
            Process git = new ProcessBuilder("git", "describe", "--always", "--dirty")
                    .redirectErrorStream(true)
                    .start();
            try (InputStream output = git.getInputStream()) {
                String text = new String(output.readAllBytes(), StandardCharsets.UTF_8).trim();
                return git.waitFor(10, TimeUnit.SECONDS) && git.exitValue() == 0 ? text : "unknown";
            }
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
