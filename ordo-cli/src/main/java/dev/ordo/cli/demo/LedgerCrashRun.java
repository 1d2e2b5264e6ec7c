package dev.ordo.cli.demo;

import dev.ordo.cli.ExitCode;
import dev.ordo.cli.OrdoCommand;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code ordo demo ledger --crash}: runs the engine-backed ledger in a child JVM ({@code --worker}),
 * kills it with SIGKILL once it has applied a random share of the operations, restarts it on the
 * same data directory, and so on; after the last run completes, the balances committed in the data
 * directory are compared with the sequential reference. Each restart resumes the tellers from the
 * resequencer's checkpoint and the consumer from the offsets committed with the balances.
 */
final class LedgerCrashRun {

    /** What the crash run saw. */
    record Outcome(
            int kills,
            List<Long> killedAt,
            long elapsedNanos,
            Ledger ledger,
            int accountsMatching,
            int accounts,
            boolean completed,
            List<String> halted) {

        LedgerSimulation.Outcome outcome() {
            if (!completed || accountsMatching != accounts) {
                return LedgerSimulation.Outcome.FAIL;
            }
            return halted.isEmpty() ? LedgerSimulation.Outcome.PASS : LedgerSimulation.Outcome.HALTED;
        }
    }

    private final LedgerSimulation.Config config;
    private final Path data;
    private final int crashes;
    private final PrintWriter err;

    LedgerCrashRun(LedgerSimulation.Config config, Path data, int crashes, PrintWriter err) {
        this.config = config;
        this.data = data;
        this.crashes = crashes;
        this.err = err;
    }

    Outcome run() throws Exception {
        Random random = new Random(config.seed() ^ 0xC4A54L);
        List<Long> killAt = new ArrayList<>();
        for (int i = 0; i < crashes; i++) {
            killAt.add((long) (config.operations() * (0.05 + 0.9 * random.nextDouble())));
        }
        killAt.sort(Comparator.naturalOrder());
        List<Long> killedAt = new ArrayList<>();
        List<String> halted = new ArrayList<>();
        Map<String, Long> prefix = null;
        long start = System.nanoTime();
        boolean completed = false;
        while (!completed) {
            Process child = new ProcessBuilder(workerCommand())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            boolean killed = false;
            try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.equals("DONE")) {
                        completed = true;
                    } else if (line.startsWith("HALTED ")) {
                        halted.add(line.substring(7));
                    } else if (line.startsWith("RELEASED ")) {
                        prefix = parsePrefix(line.substring(9));
                    } else if (line.startsWith("PROGRESS ")) {
                        long applied = Long.parseLong(line.substring(9));
                        err.print("\r" + LedgerReport.bar(applied, config.operations()) + "   kills " + killedAt.size()
                                + "/" + crashes + "   ");
                        err.flush();
                        if (killedAt.size() < killAt.size() && applied >= killAt.get(killedAt.size())) {
                            child.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, no commit
                            killedAt.add(applied);
                            killed = true;
                            break;
                        }
                    }
                }
            }
            int exit = child.waitFor();
            if (!killed && !completed) {
                throw new IllegalStateException("the engine process exited with code " + exit + " before finishing");
            }
        }
        err.println();
        err.flush();
        long elapsed = System.nanoTime() - start;
        Ledger committed = EngineDownstream.committedLedger(data);
        LedgerSimulation simulation = new LedgerSimulation(config);
        // Halted: what was released before the missing operations must be applied exactly.
        Ledger reference = LedgerSimulation.reference(config, halted.isEmpty() ? null : prefix);
        int matching = simulation.accountsMatching(committed, reference);
        return new Outcome(
                killedAt.size(), killedAt, elapsed, committed, matching, config.accounts(), completed, halted);
    }

    /** {@code teller-0=812,teller-1=790}: each teller's next expected operation. */
    private static Map<String, Long> parsePrefix(String text) {
        Map<String, Long> prefix = new HashMap<>();
        for (String entry : text.split(",")) {
            if (!entry.isBlank()) {
                String[] kv = entry.split("=");
                prefix.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        return prefix;
    }

    private List<String> workerCommand() {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                OrdoCommand.class.getName(),
                "demo",
                "ledger",
                "--worker",
                "--data",
                data.toString()));
        command.addAll(List.of(
                "--accounts",
                String.valueOf(config.accounts()),
                "--operations",
                String.valueOf(config.operations()),
                "--producers",
                String.valueOf(config.producers()),
                "--reorder-window",
                String.valueOf(config.reorderWindow()),
                "--duplicate-rate",
                String.valueOf(config.duplicateRate()),
                "--drop-rate",
                String.valueOf(config.dropRate()),
                "--seed",
                String.valueOf(config.seed()),
                "--threads",
                String.valueOf(config.threads()),
                "--halt-after",
                String.valueOf(config.haltAfter().toMillis())));
        return command;
    }

    /**
     * The child process: runs the simulation on the engine in {@code data} (resuming whatever a
     * killed predecessor left), printing {@code PROGRESS <applied>} lines and {@code DONE} at the end.
     */
    static int worker(LedgerSimulation.Config config, Path data, PrintWriter out) throws Exception {
        if (data == null) {
            throw new IllegalArgumentException("--worker needs --data");
        }
        LedgerSimulation simulation = new LedgerSimulation(config, new SimpleMeterRegistry(), data);
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "progress");
            t.setDaemon(true);
            return t;
        });
        progress.scheduleAtFixedRate(
                () -> {
                    out.println("PROGRESS " + simulation.status().applied());
                    out.flush();
                },
                50,
                50,
                TimeUnit.MILLISECONDS);
        try {
            LedgerSimulation.Result result = simulation.run();
            progress.shutdownNow();
            progress.awaitTermination(1, TimeUnit.SECONDS);
            out.println(String.format(Locale.ROOT, "PROGRESS %d", config.operations()));
            result.halted().forEach(reason -> out.println("HALTED " + reason.replace('\n', ' ')));
            StringBuilder released = new StringBuilder();
            result.releasedUpTo()
                    .forEach((teller, next) ->
                            released.append(teller).append('=').append(next).append(','));
            out.println("RELEASED " + released);
            out.println("DONE");
            out.flush();
            return result.accountsMatching() == config.accounts() ? ExitCode.OK : ExitCode.CHECK_FAILED;
        } finally {
            progress.shutdownNow();
        }
    }
}
