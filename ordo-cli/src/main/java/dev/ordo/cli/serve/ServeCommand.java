package dev.ordo.cli.serve;

import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.server.OrdoServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ordo serve --data DIR} (or {@code --bootstrap HOST:PORT}): the operator server over an embedded
 * engine's data directory or a Kafka cluster — its topics, partitions, layouts and groups' committed offsets
 * and lag, the embedded engine's meters at {@code /metrics}, and the dashboard. Consumers run in applications: they show theirs with {@code OrdoServer.attach} (or
 * {@code ordo demo ledger --serve}). Runs until interrupted.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serve the dashboard, a JSON API and Prometheus metrics for a data directory or a Kafka cluster.",
            "Binds to 127.0.0.1 unless told otherwise; mutating calls need the token printed at start.",
            "--data holds the directory's lock while serving: use it on a directory no process holds."
        })
public final class ServeCommand implements Callable<Integer> {

    @CommandLine.ArgGroup(multiplicity = "1")
    Engine engine;

    /** Exactly one engine: a data directory or a Kafka cluster. */
    static final class Engine {
        @Option(names = "--data", paramLabel = "DIR", required = true, description = "The engine's data directory.")
        Path data;

        @Option(
                names = "--bootstrap",
                paramLabel = "HOST:PORT",
                required = true,
                description = "A Kafka cluster's bootstrap servers: its topics and consumer groups.")
        String bootstrap;
    }

    @Option(
            names = "--host",
            paramLabel = "ADDRESS",
            defaultValue = "127.0.0.1",
            description = "The interface to bind (default ${DEFAULT-VALUE}: this machine only).")
    String host;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            defaultValue = "7070",
            description = "The port (default ${DEFAULT-VALUE}; 0: any free port).")
    int port;

    @Option(
            names = "--token-file",
            paramLabel = "FILE",
            description = "Read the token mutating calls need from FILE (default: a new random token, printed).")
    Path tokenFile;

    @Option(
            names = "--stuck-after",
            paramLabel = "SECONDS",
            defaultValue = "10",
            description = "A key in progress this long counts as stuck (default ${DEFAULT-VALUE}).")
    long stuckAfterSeconds;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Counted down once the server and the log are closed, whatever ended the command. */
    private final CountDownLatch closed = new CountDownLatch(1);

    @Override
    public Integer call() throws IOException, InterruptedException {
        try {
            return serveEngine();
        } finally {
            closed.countDown();
        }
    }

    private void awaitClosed() {
        try {
            closed.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private int serveEngine() throws IOException, InterruptedException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        OrdoServer.Builder builder = OrdoServer.builder()
                .host(host)
                .port(port)
                .metrics(registry)
                .stuckAfter(Duration.ofSeconds(stuckAfterSeconds));
        if (tokenFile != null) {
            builder.token(readToken(tokenFile));
        }
        if (engine.bootstrap != null) {
            builder.kafkaCatalog(engine.bootstrap);
            return serve(builder, "Kafka at " + engine.bootstrap);
        }
        if (!Files.isDirectory(engine.data)) {
            throw new IllegalArgumentException("--data must be an existing data directory, was " + engine.data);
        }
        try (EmbeddedLog log = EmbeddedLog.open(engine.data)) {
            log.bindTo(registry);
            return serve(builder.catalog(log), engine.data.toString());
        }
    }

    private int serve(OrdoServer.Builder builder, String what) throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        try (OrdoServer server = builder.start()) {
            out.println("serving " + what + " at " + server.url() + " (API /api, metrics /metrics)");
            if (tokenFile == null) {
                out.println("dashboard: " + server.dashboardUrl());
                out.println("token for mutating calls (header X-Ordo-Token): " + server.token());
            } else {
                out.println("dashboard: " + server.url() + "/ (enter the token of " + tokenFile + ")");
            }
            out.flush();
            CountDownLatch stopped = new CountDownLatch(1);
            Thread hook = new Thread(
                    () -> {
                        stopped.countDown();
                        awaitClosed(); // the JVM ends once the hooks have: let the server and the log close first
                    },
                    "ordo-serve-stop");
            Runtime.getRuntime().addShutdownHook(hook); // Ctrl-C: leave the try blocks, closing server and log
            try {
                stopped.await(); // until Ctrl-C, or interrupted
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs now
                }
            }
        }
        return 0;
    }

    private static String readToken(Path file) throws IOException {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("--token-file must be a readable file, was " + file);
        }
        return Files.readString(file, StandardCharsets.UTF_8).strip();
    }
}
