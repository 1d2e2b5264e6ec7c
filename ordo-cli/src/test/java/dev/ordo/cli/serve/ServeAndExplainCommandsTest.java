package dev.ordo.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ordo.cli.Cli;
import dev.ordo.cli.OrdoCommand;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import dev.ordo.sequence.Resequencer;
import dev.ordo.server.OrdoServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ordo serve} over a data directory, and {@code ordo explain} asking a server about a parked key. */
class ServeAndExplainCommandsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void serveShowsTheDirectorysTopicsWithATokenFromTheFileUntilInterrupted() throws Exception {
        Path data = dir.resolve("data");
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("orders", TopicSpec.partitions(3));
            log.append("orders", "k".getBytes(), "v".getBytes());
        }
        Path tokenFile = Files.writeString(dir.resolve("token"), "a-token-of-the-operators-own\n");
        StringWriter out = new StringWriter();
        CommandLine cli =
                OrdoCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(new StringWriter()));
        AtomicInteger exit = new AtomicInteger(-1);
        Thread serving = new Thread(() -> exit.set(
                cli.execute("serve", "--data", data.toString(), "--port", "0", "--token-file", tokenFile.toString())));
        serving.start();
        try {
            await().atMost(WAIT).until(() -> out.toString().contains("dashboard: "));
            Matcher url = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+)").matcher(out.toString());
            assertThat(url.find()).as(out.toString()).isTrue();
            assertThat(out.toString()).as("a token from a file is not printed").doesNotContain("operators-own");
            HttpResponse<String> topics = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(url.group(1) + "/api/topics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(topics.statusCode()).isEqualTo(200);
            assertThat(topics.body()).contains("\"name\":\"orders\"");
        } finally {
            serving.interrupt();
            serving.join(WAIT.toMillis());
        }
        assertThat(serving.isAlive()).isFalse();
    }

    @Test
    void serveRefusesAMissingDataDirectoryAndNeedsExactlyOneEngineInOneLine() {
        Cli.Run run = Cli.run("", "serve", "--data", dir.resolve("none").toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err().strip())
                .startsWith("ordo serve: --data must be an existing data directory")
                .doesNotContain("\n");
        for (String[] args :
                new String[][] {{"serve"}, {"serve", "--data", dir.toString(), "--bootstrap", "localhost:9092"}}) {
            Cli.Run bad = Cli.run("", args);
            assertThat(bad.exit()).isEqualTo(2);
            assertThat(bad.err().strip())
                    .startsWith("ordo serve: ")
                    .contains("--data")
                    .doesNotContain("\n");
        }
    }

    @Test
    void explainSaysWhyAParkedKeyIsHeldAndAnUnreachableServerIsOneLine() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(dir.resolve("data"))) {
            log.createTopic("ledger", TopicSpec.partitions(1));
            try (RecordProducer<String, String> producer = OrdoProducer.builder(
                            log, "ledger", Serdes.string(), Serdes.string())
                    .build()) {
                producer.send("ACC-7", "withdraw 300");
                producer.send("ACC-7", "deposit 100");
                producer.flush();
            }
            try (RecordConsumer consumer = OrdoConsumer.builder(log, "ledger", Serdes.string(), Serdes.string())
                            .group("balances")
                            .handler(r -> {
                                if (r.value().startsWith("withdraw")) {
                                    throw new IllegalStateException("insufficient funds");
                                }
                            })
                            .start();
                    OrdoServer server =
                            OrdoServer.builder().attach("balances", consumer).start()) {
                await().atMost(WAIT).until(() -> consumer.parked().size() == 1);

                Cli.Run run = Cli.run("", "explain", "ACC-7", "--server", server.url(), "--consumer", "balances");
                assertThat(run.exit()).as(run.err()).isZero();
                assertThat(run.out())
                        .startsWith("key ACC-7: PARKED")
                        .contains("ledger-0@0", "insufficient funds", "resume or skip it", "1 later records wait");

                Cli.Run record = Cli.run(
                        "",
                        "explain",
                        "--consumer",
                        "balances",
                        "--partition",
                        "0",
                        "--offset",
                        "1",
                        "--server",
                        server.url());
                assertThat(record.exit()).as(record.err()).isZero();
                assertThat(record.out())
                        .startsWith("record ledger-0@1 (key ACC-7): WAITING_BEHIND")
                        .contains("waits behind ledger-0@0, the head of its key", "insufficient funds");

                Cli.Run negative = Cli.run(
                        "",
                        "explain",
                        "--consumer",
                        "balances",
                        "--partition",
                        "-1",
                        "--offset",
                        "0",
                        "--server",
                        server.url());
                assertThat(negative.exit()).isEqualTo(2);
                assertThat(negative.err().strip())
                        .isEqualTo("ordo explain: the server refused: partition must be >= 0, was -1");

                Cli.Run unknown = Cli.run("", "explain", "ACC-7", "--server", server.url(), "--consumer", "other");
                assertThat(unknown.exit()).isEqualTo(2);
                assertThat(unknown.err()).contains("no consumer named other");
            }
        }
        Cli.Run down = Cli.run("", "explain", "ACC-7", "--server", "http://127.0.0.1:1", "--consumer", "balances");
        assertThat(down.exit()).isEqualTo(2);
        assertThat(down.err().strip())
                .startsWith("ordo explain: no operator server answers at http://127.0.0.1:1")
                .doesNotContain("\n");
    }

    @Test
    void explainOfAResequencersSourceNamesTheGapItWaitsFor() throws Exception {
        Resequencer<String, String> resequencer =
                Resequencer.<String, String>builder().build((source, sequence, message) -> {});
        resequencer.offer("teller-1", 0, "m0");
        resequencer.offer("teller-1", 3, "m3");
        try (OrdoServer server =
                OrdoServer.builder().attach("tellers", resequencer).start()) {
            Cli.Run run = Cli.run("", "explain", "--resequencer", "tellers", "teller-1", "--server", server.url());
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out())
                    .startsWith("source teller-1 of tellers: WAITING_FOR_GAP")
                    .contains("waits for [1, 2] (2 messages)", "1 messages are held behind it")
                    .contains("skip teller-1 through 2");
        }
    }

    @Test
    void explainRefusesArgumentsThatDoNotFitTogetherInOneLine() {
        String[][] refused = {
            {"explain", "--consumer", "balances"},
            {"explain", "ACC-7", "--consumer", "balances", "--partition", "0", "--offset", "1"},
            {"explain", "--consumer", "balances", "--partition", "0"},
            {"explain", "--consumer", "balances", "--resequencer", "tellers", "teller-1"},
            {"explain", "--resequencer", "tellers"},
            {"explain", "--resequencer", "tellers", "--partition", "0", "--offset", "1", "teller-1"},
            {"explain", "--consumer", "balances", "--partition", "x", "--offset", "1"}
        };
        String[] why = {
            "give a KEY, or --partition and --offset",
            "KEY and --partition/--offset are mutually exclusive",
            "--partition and --offset go together, was --partition 0 alone",
            "mutually exclusive",
            "--resequencer needs the SOURCE",
            "not a resequencer's source",
            "--partition"
        };
        for (int i = 0; i < refused.length; i++) {
            Cli.Run run = Cli.run("", refused[i]);
            assertThat(run.exit()).as(String.join(" ", refused[i])).isEqualTo(2);
            assertThat(run.err().strip())
                    .as(String.join(" ", refused[i]))
                    .startsWith("ordo explain: ")
                    .contains(why[i])
                    .doesNotContain("\n");
        }
    }
}
