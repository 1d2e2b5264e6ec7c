package dev.ordo.cli.demo;

import dev.ordo.check.HistoryLog;
import dev.ordo.cli.ExitCode;
import dev.ordo.cli.MetricsServer;
import dev.ordo.kafka.EmbeddedKafka;
import dev.ordo.log.storage.Directories;
import dev.ordo.server.OrdoServer;
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
            "Ordo resequences them strictly (asking again for what is missing, never skipping it), "
                    + "appends them to the embedded",
            "engine's durable log and a consumer group applies them in parallel across accounts, serially per",
            "account, committing the balances with its offsets; the final balances are compared with a sequential",
            "reference and the ordering checker judges the raw arrivals and the delivered stream.",
            "With --crash the engine runs in a child process that is killed (SIGKILL) and restarted mid-run.",
            "With --backend kafka the operations go through Apache Kafka instead (--bootstrap HOST:PORT, or a broker",
            "started for the run in a child JVM).",
            "Exit code 0 (RESULT: PASS) when every balance matches and the delivered stream is clean; 3 (RESULT:",
            "HALTED) when a teller's operations stayed missing for --halt-after: nothing after them is applied, the",
            "report names what is missing, and the balances of what was applied are verified; 1 (RESULT: FAIL) when",
            "a balance is wrong, which only --no-ordering shows."
        })
public class LedgerDemoCommand implements Callable<Integer> {

    /** Halted tellers the report names one by one; the rest are counted. */
    private static final int SHOWN_HALTS = 5;

    private static final Logger LOG = LoggerFactory.getLogger(LedgerDemoCommand.class);

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
            names = "--serve",
            paramLabel = "PORT",
            arity = "0..1",
            fallbackValue = "0",
            description = "Serve the operator dashboard (stuck keys, resume / skip, explain, metrics) at "
                    + "http://127.0.0.1:PORT while running (without PORT: any free port); its address is printed.")
    Integer servePort;

    @Option(
            names = "--metrics-linger",
            paramLabel = "SECONDS",
            defaultValue = "0",
            description = "Keep serving metrics and the dashboard this long after the run (default ${DEFAULT-VALUE}).")
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
        memory,
        migrate
    }

    @Option(
            names = "--backend",
            paramLabel = "NAME",
            defaultValue = "engine",
            description =
                    "engine (the embedded durable log, default), kafka (Apache Kafka: --bootstrap, or a broker started "
                            + "in a child JVM), memory (same as --in-memory), migrate (see 'ordo demo migrate').")
    BackendChoice backendChoice;

    @Option(
            names = "--bootstrap",
            paramLabel = "HOST:PORT",
            description =
                    "With --backend kafka: the cluster to use (a topic is made for the run and deleted after it). "
                            + "Without it a broker is started in a child JVM.")
    String bootstrap;

    @Option(
            names = "--halt-after",
            paramLabel = "MILLIS",
            description = "How long (in channel time) a teller's operations may stay missing before the run "
                    + "halts instead of applying what comes after them (default: 200 reorder windows of "
                    + "microseconds, at least 1000).")
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
        boolean onKafka = backendChoice == BackendChoice.kafka || backendChoice == BackendChoice.migrate;
        if (bootstrap != null && !onKafka) {
            throw new IllegalArgumentException("--bootstrap needs --backend kafka, backend was " + backendChoice);
        }
        if (onKafka) {
            if (crash || data != null || inMemory) {
                throw new IllegalArgumentException(
                        "--backend " + backendChoice + " cannot be combined with --crash, --data or --in-memory "
                                + "(the ledger's state lives in the process on Kafka; "
                                + "--crash needs the engine's committed state)");
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
                Directories.deleteRecursively(engineData);
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

    /** Runs on the cluster at --bootstrap, or on a broker started in a child JVM for the run. */
    private Integer onKafka(LedgerSimulation.Config config, PrintWriter out) throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (bootstrap != null) {
            return run(config, kafkaBackend(config, bootstrap, err), out);
        }
        err.println("starting a Kafka broker in a child JVM (KRaft, one node; give --bootstrap to use a cluster)...");
        err.flush();
        try (EmbeddedKafka broker = EmbeddedKafka.start()) {
            err.println("Kafka broker at " + broker.bootstrapServers());
            err.flush();
            return run(config, kafkaBackend(config, broker.bootstrapServers(), err), out);
        }
    }

    private LedgerDownstream.Backend kafkaBackend(LedgerSimulation.Config config, String servers, PrintWriter err) {
        return backendChoice == BackendChoice.migrate
                ? MigratingDownstream.backend(servers, config.operations(), err)
                : KafkaDownstream.backend(servers);
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
        LedgerSimulation.Result result;
        PrintWriter err = spec.commandLine().getErr();
        try (MetricsServer server = metricsPort == null ? null : MetricsServer.start(registry, metricsPort);
                OrdoServer dashboard = servePort == null
                        ? null
                        : OrdoServer.builder().port(servePort).metrics(registry).start()) {
            if (server != null) {
                err.println("metrics at http://localhost:" + server.port() + "/metrics");
            }
            if (dashboard != null) {
                err.println("dashboard at " + dashboard.dashboardUrl());
            }
            err.flush();
            LedgerSimulation simulation =
                    new LedgerSimulation(config, registry, dashboard == null ? backend : shown(backend, dashboard));
            result = withProgress(simulation);
            LedgerReport.print(out, result);
            out.flush();
            if ((server != null || dashboard != null) && metricsLingerSeconds > 0) {
                TimeUnit.SECONDS.sleep(metricsLingerSeconds); // an operator looks meanwhile
            }
        }
        if (history != null) {
            HistoryLog.write(result.appliedHistory(), history);
            out.println("history of the applied stream written to " + history + " (check it with: ordo verify "
                    + history + ")");
        }
        return verdict(out, classic.passed() ? result.outcome() : LedgerSimulation.Outcome.FAIL, result.halted());
    }

    /** {@code backend}, whose consumer (if it has one) the dashboard shows as {@code ledger}. */
    private static LedgerDownstream.Backend shown(LedgerDownstream.Backend backend, OrdoServer dashboard) {
        return new LedgerDownstream.Backend(backend.name(), (threads, registry, apply) -> {
            LedgerDownstream downstream = backend.open(threads, registry, apply);
            if (downstream instanceof ConsumerBacked backed) {
                dashboard.detach("ledger"); // a downstream opened again replaces the last one
                dashboard.attach("ledger", backed.consumer());
            }
            return downstream;
        });
    }

    /**
     * The last lines and the exit code: 0 PASS, 1 FAIL (a wrong balance: never with ordering on), 3 HALTED
     * (operations stayed missing; nothing after them was applied and what was applied is verified).
     */
    static int verdict(PrintWriter out, LedgerSimulation.Outcome outcome, List<String> halted) {
        if (outcome == LedgerSimulation.Outcome.HALTED) {
            out.println("  halted, waiting for an operator (nothing after the missing operations was applied):");
            halted.stream().limit(SHOWN_HALTS).forEach(reason -> out.println("    " + reason));
            if (halted.size() > SHOWN_HALTS) {
                out.println("    and " + (halted.size() - SHOWN_HALTS) + " more, each the same way");
            }
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
        LedgerReport.StallWatch stalls = new LedgerReport.StallWatch();
        timer.scheduleAtFixedRate(
                () -> {
                    drawn[0] = true;
                    LedgerSimulation.Status status = simulation.status();
                    err.print("\r" + LedgerReport.statusLine(status, operations, System.nanoTime() - start)
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
                err.print("\r" + LedgerReport.statusLine(simulation.status(), operations, System.nanoTime() - start)
                        + System.lineSeparator());
                err.flush();
            }
        }
    }
}
