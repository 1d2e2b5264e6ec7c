package dev.ordo.cli.demo;

import dev.ordo.check.Anomaly;
import dev.ordo.check.CheckReport;
import dev.ordo.check.HistoryLog;
import dev.ordo.cli.ExitCode;
import dev.ordo.cli.MetricsServer;
import dev.ordo.kafka.EmbeddedKafka;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ordo demo ledger}: the bank ledger through a faulty network, checked against a sequential reference. */
@Command(
        name = "ledger",
        mixinStandardHelpOptions = true,
        description = {
            "Accounts receive deposits and withdrawals (an overdrawing withdrawal is rejected, so order matters)",
            "from several tellers through a channel that reorders, duplicates and drops messages.",
            "Ordo resequences them strictly (asking again for what is missing, never skipping it), appends them to the embedded",
            "engine's durable log and a consumer group applies them in parallel across accounts, serially per",
            "account, committing the balances with its offsets; the final balances are compared with a sequential",
            "reference and the ordering checker judges the raw arrivals and the delivered stream.",
            "With --crash the engine runs in a child process that is killed (SIGKILL) and restarted mid-run.",
            "With --backend kafka the operations go through Apache Kafka instead (--bootstrap HOST:PORT, or a broker",
            "started in this JVM).",
            "Exit code 0 (RESULT: PASS) when every balance matches and the delivered stream is clean; 3 (RESULT:",
            "HALTED) when a teller's operations stayed missing for --halt-after: nothing after them is applied, the",
            "report names what is missing, and the balances of what was applied are verified; 1 (RESULT: FAIL) when",
            "a balance is wrong, which only --no-ordering shows."
        })
public final class LedgerDemoCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerDemoCommand.class);

    /** The anomalies a sequenced, keyed stream can show (causal and total-order ones do not apply here). */
    private static final List<Anomaly> SEQUENCE_ANOMALIES =
            List.of(Anomaly.LOST, Anomaly.DUPLICATED, Anomaly.REORDERED, Anomaly.GAP, Anomaly.UNEXPECTED);

    @Option(names = "--accounts", defaultValue = "1000", description = "Accounts (default ${DEFAULT-VALUE}).")
    int accounts;

    @Option(names = "--operations", defaultValue = "200000", description = "Operations (default ${DEFAULT-VALUE}).")
    int operations;

    @Option(
            names = "--producers",
            defaultValue = "4",
            description = "Tellers sending operations (default ${DEFAULT-VALUE}).")
    int producers;

    @Option(
            names = "--reorder-window",
            defaultValue = "64",
            description = "Messages the channel mixes at once (default ${DEFAULT-VALUE}).")
    int reorderWindow;

    @Option(
            names = "--duplicate-rate",
            defaultValue = "0.05",
            description = "Share delivered twice (default ${DEFAULT-VALUE}).")
    double duplicateRate;

    @Option(
            names = "--drop-rate",
            defaultValue = "0.02",
            description = "Share lost in transit and redelivered on request (default ${DEFAULT-VALUE}).")
    double dropRate;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "Random seed; same seed, same run (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", defaultValue = "8", description = "Handler threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--no-ordering",
            description = "Apply messages as they arrive, to see what goes wrong without Ordo.")
    boolean noOrdering;

    @Option(
            names = "--history",
            paramLabel = "FILE",
            description = "Write the applied stream's history (JSON lines) for 'ordo verify'.")
    Path history;

    @Option(
            names = "--metrics",
            paramLabel = "PORT",
            description = "Serve Prometheus metrics at http://localhost:PORT/metrics while running (0: any free port).")
    Integer metricsPort;

    @Option(
            names = "--metrics-linger",
            paramLabel = "SECONDS",
            defaultValue = "0",
            description = "Keep serving metrics this long after the run (default ${DEFAULT-VALUE}).")
    int metricsLingerSeconds;

    @Option(
            names = "--in-memory",
            description = "Apply in memory on a key-ordered executor instead of the engine's log.")
    boolean inMemory;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description =
                    "The engine's data directory (default: a temporary one, deleted afterwards). Must be new or empty.")
    Path data;

    @Option(
            names = "--crash",
            description = "Run the engine in a child process and kill it (SIGKILL) mid-run, then restart it.")
    boolean crash;

    @Option(
            names = "--crashes",
            defaultValue = "3",
            paramLabel = "N",
            description = "How many times --crash kills the engine (default ${DEFAULT-VALUE}).")
    int crashes;

    /** Where the ledger's operations go to be applied. */
    enum BackendChoice {
        engine,
        kafka,
        memory
    }

    @Option(
            names = "--backend",
            paramLabel = "NAME",
            defaultValue = "engine",
            description =
                    "engine (the embedded durable log, default), kafka (Apache Kafka: --bootstrap, or a broker started "
                            + "in this JVM), memory (same as --in-memory).")
    BackendChoice backendChoice;

    @Option(
            names = "--bootstrap",
            paramLabel = "HOST:PORT",
            description =
                    "With --backend kafka: the cluster to use (a topic is made for the run and deleted after it). "
                            + "Without it an in-JVM broker is started.")
    String bootstrap;

    @Option(
            names = "--halt-after",
            paramLabel = "MILLIS",
            description = "How long (in channel time) a teller's operations may stay missing before the run halts "
                    + "instead of applying what comes after them (default: 10,000 reorder windows, at least 1000).")
    Long haltAfterMillis;

    @Option(names = "--worker", hidden = true, description = "Internal: the child process of --crash.")
    boolean worker;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        LedgerSimulation.Config config = new LedgerSimulation.Config(
                accounts,
                operations,
                producers,
                reorderWindow,
                duplicateRate,
                dropRate,
                seed,
                threads,
                !noOrdering,
                haltAfterMillis == null
                        ? LedgerSimulation.Config.defaultHaltAfter(reorderWindow)
                        : Duration.ofMillis(haltAfterMillis));
        if (backendChoice == BackendChoice.memory) {
            inMemory = true;
        }
        if (inMemory && (crash || data != null)) {
            throw new IllegalArgumentException("--in-memory cannot be combined with --crash or --data");
        }
        if (bootstrap != null && backendChoice != BackendChoice.kafka) {
            throw new IllegalArgumentException("--bootstrap needs --backend kafka, backend was " + backendChoice);
        }
        if (backendChoice == BackendChoice.kafka) {
            if (crash || data != null || inMemory) {
                throw new IllegalArgumentException(
                        "--backend kafka cannot be combined with --crash, --data or --in-memory "
                                + "(the ledger's state lives in the process on Kafka; --crash needs the engine's committed state)");
            }
            return onKafka(config, out);
        }
        if (crash && (noOrdering || history != null || metricsPort != null)) {
            throw new IllegalArgumentException("--crash cannot be combined with --no-ordering, --history or --metrics");
        }
        if (crashes < 1) {
            throw new IllegalArgumentException("crashes must be >= 1, was " + crashes);
        }
        if (worker) {
            return LedgerCrashRun.worker(config, data, out);
        }
        boolean temporary = !inMemory && data == null;
        Path engineData = inMemory ? null : temporary ? Files.createTempDirectory("ordo-ledger-") : requireEmpty(data);
        try {
            return crash
                    ? crashRun(config, engineData, out)
                    : run(
                            config,
                            inMemory ? LedgerDownstream.Backend.IN_MEMORY : LedgerDownstream.Backend.engine(engineData),
                            out);
        } finally {
            if (temporary) {
                dev.ordo.log.storage.Directories.deleteRecursively(engineData);
            }
        }
    }

    private Integer crashRun(LedgerSimulation.Config config, Path engineData, PrintWriter out) throws Exception {
        out.println("Ordo ledger demo, with crashes");
        out.println();
        out.flush();
        LedgerCrashRun.Outcome outcome = new LedgerCrashRun(
                        config, engineData, crashes, spec.commandLine().getErr())
                .run();
        out.printf(
                Locale.ROOT,
                "Run: %,d operations on %,d accounts from %d tellers, %d handler threads, seed %d%n",
                config.operations(),
                config.accounts(),
                config.producers(),
                config.threads(),
                config.seed());
        out.printf(
                Locale.ROOT,
                "  engine: %s (topic ledger, 8 partitions, fsync before every acknowledgement)%n",
                engineData);
        out.printf(
                Locale.ROOT,
                "  killed with SIGKILL %d times (after %s operations applied), restarted each time; %.2f s%n",
                outcome.kills(),
                outcome.killedAt(),
                outcome.elapsedNanos() / 1e9);
        out.printf(
                Locale.ROOT,
                "  re-sent after restarts and dropped by teller sequence: %,d operations%n",
                outcome.ledger().duplicatesDropped.get());
        out.printf(
                Locale.ROOT,
                "  operations applied (committed state): %,d of %,d%n",
                outcome.ledger().applied.get(),
                config.operations());
        out.printf(
                Locale.ROOT,
                "  balances verified: %,d of %,d accounts match the sequential reference%s%n",
                outcome.accountsMatching(),
                config.accounts(),
                outcome.halted().isEmpty() ? "" : " of the operations released before the halt");
        return verdict(out, outcome.outcome(), outcome.halted());
    }

    /** Runs on the cluster at --bootstrap, or on a broker started in this JVM for the run. */
    private Integer onKafka(LedgerSimulation.Config config, PrintWriter out) throws Exception {
        if (bootstrap != null) {
            return run(config, KafkaDownstream.backend(bootstrap), out);
        }
        PrintWriter err = spec.commandLine().getErr();
        err.println("starting a Kafka broker in this JVM (KRaft, one node; give --bootstrap to use a cluster)...");
        err.flush();
        try (EmbeddedKafka broker = EmbeddedKafka.start()) {
            err.println("Kafka broker at " + broker.bootstrapServers());
            err.flush();
            return run(config, KafkaDownstream.backend(broker.bootstrapServers()), out);
        }
    }

    private static Path requireEmpty(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (var entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException(
                            "data directory must be new or empty, was '" + dir + "' (it holds files; an earlier run?)");
                }
            }
        }
        Files.createDirectories(dir);
        return dir;
    }

    private Integer run(LedgerSimulation.Config config, LedgerDownstream.Backend backend, PrintWriter out)
            throws Exception {
        ClassicExample.Outcome classic = ClassicExample.run();
        out.println("Ordo ledger demo");
        out.println();
        out.println(
                "Classic example: +1000 +500 -800 +300 -200 from one teller, arriving as " + classic.arrivalOrder());
        out.printf(
                Locale.ROOT,
                "  applied on arrival: %d   through Ordo: %d   expected: %d   %s%n",
                classic.appliedOnArrival(),
                classic.throughOrdo(),
                classic.expected(),
                classic.passed() ? "OK" : "WRONG");
        out.println();
        out.flush();

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        LedgerSimulation simulation = new LedgerSimulation(config, registry, backend);
        LedgerSimulation.Result result;
        try (MetricsServer server = metricsPort == null ? null : MetricsServer.start(registry, metricsPort)) {
            if (server != null) {
                spec.commandLine().getErr().println("metrics at http://localhost:" + server.port() + "/metrics");
                spec.commandLine().getErr().flush();
            }
            result = withProgress(simulation);
            print(out, result);
            out.flush();
            if (server != null && metricsLingerSeconds > 0) {
                TimeUnit.SECONDS.sleep(metricsLingerSeconds); // an operator scrapes meanwhile
            }
        }
        if (history != null) {
            HistoryLog.write(result.appliedHistory(), history);
            out.println("history of the applied stream written to " + history + " (check it with: ordo verify "
                    + history + ")");
        }
        return verdict(out, classic.passed() ? result.outcome() : LedgerSimulation.Outcome.FAIL, result.halted());
    }

    /**
     * The last lines and the exit code: 0 PASS, 1 FAIL (a wrong balance: never with ordering on), 3 HALTED
     * (operations stayed missing; nothing after them was applied and what was applied is verified).
     */
    static int verdict(PrintWriter out, LedgerSimulation.Outcome outcome, List<String> halted) {
        if (outcome == LedgerSimulation.Outcome.HALTED) {
            out.println("  halted, waiting for an operator (nothing after the missing operations was applied):");
            halted.forEach(reason -> out.println("    " + reason));
        }
        out.println("RESULT: " + outcome);
        out.flush();
        return switch (outcome) {
            case PASS -> ExitCode.OK;
            case FAIL -> ExitCode.CHECK_FAILED;
            case HALTED -> ExitCode.HALTED;
        };
    }

    /** Runs the simulation, drawing a progress bar on stderr if it takes longer than a second. */
    private LedgerSimulation.Result withProgress(LedgerSimulation simulation) throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "progress");
            t.setDaemon(true);
            return t;
        });
        boolean[] drawn = {false};
        long start = System.nanoTime();
        StallWatch stalls = new StallWatch();
        timer.scheduleAtFixedRate(
                () -> {
                    drawn[0] = true;
                    LedgerSimulation.Status status = simulation.status();
                    err.print("\r" + statusLine(status, operations, System.nanoTime() - start)
                            + stalls.check(status, System.nanoTime()));
                    err.flush();
                },
                1,
                200,
                TimeUnit.MILLISECONDS);
        try {
            return simulation.run();
        } finally {
            timer.shutdownNow();
            try {
                timer.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (drawn[0]) {
                err.print("\r" + statusLine(simulation.status(), operations, System.nanoTime() - start)
                        + System.lineSeparator());
                err.flush();
            }
        }
    }

    /**
     * Says, on the status line and once per stall in a WARN, what the run waits for when nothing was applied
     * for two seconds: never a silent standstill.
     */
    static final class StallWatch {
        private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(2);
        private long lastApplied = -1;
        private long since;
        private boolean warned;

        String check(LedgerSimulation.Status status, long now) {
            if (status.applied() != lastApplied) {
                lastApplied = status.applied();
                since = now;
                warned = false;
                return "";
            }
            long stalledNanos = now - since;
            if (stalledNanos < STALL_NANOS || status.waitingFor() == null) {
                return "";
            }
            String line =
                    "no progress for " + TimeUnit.NANOSECONDS.toSeconds(stalledNanos) + " s: " + status.waitingFor();
            if (!warned) {
                warned = true;
                LOG.warn("ledger demo: {}", line);
            }
            return "| " + line + "   ";
        }
    }

    /** The live status: progress, rate, what is held back and in flight, violations seen so far. */
    static String statusLine(LedgerSimulation.Status s, long total, long elapsedNanos) {
        double rate = elapsedNanos <= 0 ? 0 : s.applied() * 1e9 / elapsedNanos;
        return String.format(
                Locale.ROOT,
                "%s | %,.0f applied/s | buffered %,d | in flight %,d | violations %,d   ",
                bar(s.applied(), total),
                rate,
                s.buffered(),
                s.inFlight(),
                s.violations());
    }

    static String bar(long done, long total) {
        int width = 30;
        int filled = total == 0 ? width : (int) (width * Math.min(done, total) / total);
        return String.format(
                Locale.ROOT,
                "[%s%s] %3d%% %,d/%,d operations",
                "#".repeat(filled),
                ".".repeat(width - filled),
                total == 0 ? 100 : 100 * Math.min(done, total) / total,
                done,
                total);
    }

    private static void print(PrintWriter out, LedgerSimulation.Result r) {
        LedgerSimulation.Config c = r.config();
        out.printf(
                Locale.ROOT,
                "Run: %,d operations on %,d accounts from %d tellers, %d handler threads, seed %d%s%n",
                c.operations(),
                c.accounts(),
                c.producers(),
                c.threads(),
                c.seed(),
                c.reorder() ? "" : "  (--no-ordering: applied as they arrive)");
        out.printf(
                Locale.ROOT,
                "  channel: reorder window %d, %.1f%% duplicated, %.1f%% dropped -> %,d arrivals "
                        + "(%,d duplicates, %,d drops, %,d redeliveries, %,d refused for room and sent again)%n",
                c.reorderWindow(),
                100 * c.duplicateRate(),
                100 * c.dropRate(),
                r.arrivals(),
                r.duplicated(),
                r.dropped(),
                r.redelivered(),
                r.refused());
        out.printf(
                Locale.ROOT,
                "  applied %s%n",
                switch (r.backend()) {
                    case "memory" -> "in memory (--in-memory)";
                    case "kafka" ->
                        "through Apache Kafka: KafkaOrdoProducer to a topic of 8 partitions, KafkaOrdoConsumer in KEY order";
                    default ->
                        "through the embedded engine: durable log (fsync before every acknowledgement) and a consumer group";
                });
        out.printf(
                Locale.ROOT,
                "  throughput: %,.0f operations/s (%.2f s)%n",
                r.operationsPerSecond(),
                r.elapsedNanos() / 1e9);
        out.println();
        out.printf(Locale.ROOT, "  %-12s %12s %12s %12s%n", "anomaly", "on arrival", "resequenced", "applied");
        for (Anomaly a : SEQUENCE_ANOMALIES) {
            out.printf(
                    Locale.ROOT,
                    "  %-12s %,12d %,12d %,12d%n",
                    a.name().toLowerCase(Locale.ROOT),
                    r.onArrival().count(a),
                    r.resequenced().count(a),
                    r.applied().count(a));
        }
        out.println();
        if (c.reorder()) {
            out.printf(
                    Locale.ROOT,
                    "  resequencer: %,d released, %,d duplicates dropped, %,d gaps, %,d redelivery requests, "
                            + "peak buffered %,d%n",
                    r.resequencer().released(),
                    r.resequencer().duplicates(),
                    r.resequencer().gapsDetected(),
                    r.resequencer().redeliveryRequests(),
                    r.resequencer().peakBuffered());
        }
        out.printf(Locale.ROOT, "  executor: peak in flight %,d%n", r.peakInFlight());
        out.printf(Locale.ROOT, "  live ordering monitor on the applied stream: %,d violations%n", r.liveViolations());
        out.printf(
                Locale.ROOT,
                "  balances verified: %,d of %,d accounts match the sequential reference%s%n",
                r.accountsMatching(),
                c.accounts(),
                r.halted().isEmpty()
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                " of the %,d operations released before the halt",
                                r.operationsReleased()));
        printIfNotClean(out, "resequenced", r.resequenced());
        printIfNotClean(out, "applied", r.applied());
    }

    private static void printIfNotClean(PrintWriter out, String stage, CheckReport report) {
        if (!report.isClean()) {
            out.println("  " + stage + ": "
                    + report.summary().replace(System.lineSeparator(), System.lineSeparator() + "  "));
        }
    }
}
