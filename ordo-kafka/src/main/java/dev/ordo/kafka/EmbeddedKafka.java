package dev.ordo.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka cluster (KRaft, one combined broker and controller) in a child JVM, on
 * free ports with its data in a temporary directory removed on {@link #close()}, deleting no record
 * for its age (old timestamps included): to try Ordo on Kafka with nothing installed
 * ({@code ordo demo ledger --backend kafka}) and for tests. The child runs Kafka's own server
 * ({@code kafka.Kafka}, after formatting its storage) from this JVM's classpath, which must hold
 * {@code org.apache.kafka:kafka_2.13} of the clients' version (an optional dependency of ordo-kafka:
 * add it to use this class). The broker has both consumer group protocols,
 * {@code classic} and KIP-848's {@code consumer}. It dies with this JVM. Not for production data.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
 *     run(kafka.bootstrapServers());
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {

    /** How long the broker has to answer its first request. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** How long a stopping broker has to shut down before it is killed. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    /** Free ports are found by binding and closing; another process may take one meanwhile: then again. */
    private static final int ATTEMPTS = 3;

    private static final String BROKER_LOG = "broker.log";

    private final Process process;
    private final Path directory;
    private final int port;
    private final String bootstrapServers;
    private final Thread onExit;

    private EmbeddedKafka(Process process, Path directory, int port) {
        this.process = process;
        this.directory = directory;
        this.port = port;
        this.bootstrapServers = "localhost:" + port;
        this.onExit = new Thread(this::stop, "ordo-embedded-kafka-stop");
    }

    /**
     * Formats and starts the broker in a child JVM and waits until it answers (a few seconds).
     *
     * @throws IllegalStateException if the broker did not answer within a minute, naming what it
     *     waited for and the broker's last log lines
     */
    public static EmbeddedKafka start() {
        IllegalStateException failure = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Path directory = null;
            try {
                directory = Files.createTempDirectory("ordo-kafka-");
                EmbeddedKafka broker = launch(directory);
                Runtime.getRuntime().addShutdownHook(broker.onExit);
                return broker;
            } catch (IOException e) {
                deleteQuietly(directory);
                throw new UncheckedIOException("could not prepare the embedded Kafka broker's directory", e);
            } catch (IllegalStateException e) {
                deleteQuietly(directory);
                failure = e;
                if (!e.getMessage().contains("Address already in use")) {
                    break;
                }
            }
        }
        throw failure;
    }

    private static EmbeddedKafka launch(Path directory) throws IOException {
        int brokerPort = freePort();
        int controllerPort = freePort();
        Path properties = directory.resolve("server.properties");
        writeServerProperties(properties, directory.resolve("data"), brokerPort, controllerPort);
        Path logging = directory.resolve("logback.xml");
        Files.writeString(logging, LOGGING);
        List<String> command = new ArrayList<>(List.of(
                javaExecutable(),
                "-Xms128m",
                "-Xmx1g",
                "-XX:+ExitOnOutOfMemoryError",
                "-Djava.awt.headless=true",
                "-Dlogback.configurationFile=" + logging,
                "-cp",
                System.getProperty("java.class.path"),
                BrokerProcess.class.getName(),
                Uuid.randomUuid().toString(),
                properties.toString()));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve(BROKER_LOG).toFile())
                .start(); // standard input stays a pipe: its end tells the child to stop
        EmbeddedKafka broker = new EmbeddedKafka(process, directory, brokerPort);
        try {
            broker.awaitReady();
        } catch (RuntimeException e) {
            broker.stop();
            throw e;
        }
        return broker;
    }

    /** Where clients connect, e.g. {@code localhost:41234}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The child JVM the broker runs in (tests check that it ends). */
    ProcessHandle process() {
        return process.toHandle();
    }

    /** Where the broker keeps its data and log (tests check that it is removed). */
    Path directory() {
        return directory;
    }

    /** Stops the broker (killing it if it does not stop within 10 s) and deletes its data. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs (or ran) anyway
        }
        stop();
    }

    /** Until the broker answers a request, or it exited, or the time is up. */
    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        // First until it listens, quietly: the admin client warns of every refused connection.
        while (!listening()) {
            checkAlive(deadline);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the embedded Kafka broker", e);
            }
        }
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "2000");
        try (Admin admin = Admin.create(props)) {
            while (true) {
                checkAlive(deadline);
                try {
                    // A broker registered with the controller and unfenced is listed: ready for topics.
                    if (!admin.describeCluster()
                            .nodes()
                            .get(2, TimeUnit.SECONDS)
                            .isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException notYet) {
                    // not registered yet
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the embedded Kafka broker", e);
                }
            }
        }
    }

    private boolean listening() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private void checkAlive(long deadline) {
        if (!process.isAlive()) {
            throw new IllegalStateException("the embedded Kafka broker exited with code " + process.exitValue()
                    + " before it served on " + bootstrapServers + "; its last log lines:\n" + lastLogLines());
        }
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("the embedded Kafka broker did not answer on " + bootstrapServers
                    + " within " + READY_TIMEOUT.toSeconds() + " s; its last log lines:\n" + lastLogLines());
        }
    }

    /** Ends the child (its shutdown first, then a kill) and deletes its directory; idempotent. */
    private synchronized void stop() {
        try {
            process.getOutputStream().close(); // the child exits when its input ends
        } catch (IOException alreadyClosed) {
            // and so it goes on to the signal
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        deleteQuietly(directory);
    }

    private String lastLogLines() {
        try {
            List<String> lines = Files.readAllLines(directory.resolve(BROKER_LOG), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static void writeServerProperties(Path file, Path data, int brokerPort, int controllerPort)
            throws IOException {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        p.put("listeners", "PLAINTEXT://localhost:" + brokerPort + ",CONTROLLER://localhost:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", data.toString());
        // One node: every internal topic has one replica.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "10");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // Groups settle at once: no waiting for more classic members, and KIP-848 members learn a new
        // assignment within half a second (their heartbeat interval is the broker's to set).
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("group.consumer.heartbeat.interval.ms", "500");
        p.put("group.consumer.min.heartbeat.interval.ms", "500");
        // No deletion by age: Kafka's default (7 days) measures the records' own timestamps, and its first
        // check, 30 s after the start, emptied a topic of records stamped in the past (replayed history,
        // fixed event times of a test) under a reader's feet. A broker of tests and demos keeps what it is
        // given, as the embedded engine does by default; its data goes with it on close.
        p.put("log.retention.ms", "-1");
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(out, "an embedded Kafka broker (EmbeddedKafka)");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String javaExecutable() {
        return ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static void deleteQuietly(Path directory) {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temporary directory: what is left the system cleans
        }
    }

    /** The broker logs warnings and errors only (its start-up says thousands of lines at INFO). */
    private static final String LOGGING = """
            <configuration>
              <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder>
              </appender>
              <logger name="state.change.logger" level="OFF"/>
              <root level="WARN"><appender-ref ref="OUT"/></root>
            </configuration>
            """;
}
