package dev.ordo.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ordo.check.Anomaly;
import dev.ordo.cli.OrdoCommand;
import dev.ordo.log.storage.Directories;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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

class LedgerDemoTest {

    private static LedgerSimulation.Config config(boolean reorder) {
        return new LedgerSimulation.Config(
                200, 20_000, 4, 32, 0.05, 0.03, 7, 4, reorder, LedgerSimulation.Config.defaultHaltAfter(32));
    }

    @Test
    void theClassicExampleEndsAt800ThroughOrdoButNotWhenAppliedOnArrival() {
        ClassicExample.Outcome outcome = ClassicExample.run();
        assertThat(outcome.expected()).isEqualTo(800);
        assertThat(outcome.throughOrdo()).isEqualTo(800);
        assertThat(outcome.appliedOnArrival()).isNotEqualTo(800);
    }

    @Test
    void throughAFaultyChannelEveryBalanceMatchesAndTheDeliveredStreamIsClean() throws Exception {
        LedgerSimulation.Result result = new LedgerSimulation(config(true)).run();

        assertThat(result.onArrival().count(Anomaly.DUPLICATED))
                .as("the channel duplicates")
                .isPositive();
        assertThat(result.onArrival().count(Anomaly.REORDERED))
                .as("the channel reorders")
                .isPositive();
        assertThat(result.dropped()).as("the channel drops").isPositive();
        assertThat(result.resequenced().isClean())
                .as(result.resequenced().summary())
                .isTrue();
        assertThat(result.applied().isClean()).as(result.applied().summary()).isTrue();
        assertThat(result.accountsMatching()).isEqualTo(200);
        assertThat(result.passed()).isTrue();
    }

    @Test
    void withoutOrderingTheBalancesGoWrongAndTheCheckerSaysWhy() throws Exception {
        LedgerSimulation.Result result = new LedgerSimulation(config(false)).run();

        assertThat(result.passed()).isFalse();
        assertThat(result.accountsMatching()).isLessThan(200);
        assertThat(result.applied().count(Anomaly.LOST)).isEqualTo(result.dropped());
        assertThat(result.applied().count(Anomaly.DUPLICATED)).isPositive();
    }

    @Test
    void theCommandPrintsTheReportAndExitsZeroWhenEverythingMatches() {
        StringWriter out = new StringWriter();
        CommandLine cli =
                OrdoCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(new StringWriter()));
        int exit = cli.execute("demo", "ledger", "--operations", "5000", "--accounts", "50", "--seed", "3");

        assertThat(exit).isZero();
        assertThat(out.toString())
                .contains("applied on arrival: 2300   through Ordo: 800   expected: 800   OK")
                .contains("5,000 operations on 50 accounts")
                .contains("balances verified: 50 of 50 accounts match")
                .contains("RESULT: PASS");
    }

    @Test
    void withServeTheDashboardShowsTheLedgersConsumerLive() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = OrdoCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        AtomicInteger exit = new AtomicInteger(-1);
        Thread run = new Thread(() -> exit.set(cli.execute(
                "demo", "ledger", "--operations", "30000", "--accounts", "100", "--serve", "--metrics-linger", "5")));
        run.start();
        try {
            Pattern address = Pattern.compile("dashboard at (http://127\\.0\\.0\\.1:\\d+)/#token=");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> address.matcher(err.toString()).find());
            Matcher url = address.matcher(err.toString());
            assertThat(url.find()).isTrue();
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                String consumers = http.send(
                                HttpRequest.newBuilder(URI.create(url.group(1) + "/api/consumers"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
                return consumers.contains("\"name\":\"ledger\"") && !consumers.contains("\"handled\":0,");
            });
        } finally {
            run.join(Duration.ofSeconds(120).toMillis());
        }
        assertThat(exit.get()).isZero();
        assertThat(out.toString()).contains("RESULT: PASS");
    }

    @Test
    void killedAndRestartedMidRunTheEngineStillEndsWithEveryBalanceVerified() {
        StringWriter out = new StringWriter();
        CommandLine cli =
                OrdoCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(new StringWriter()));
        int exit = cli.execute(
                "demo",
                "ledger",
                "--crash",
                "--crashes",
                "2",
                "--operations",
                "30000",
                "--accounts",
                "100",
                "--seed",
                "5");

        assertThat(exit).as(out.toString()).isZero();
        assertThat(out.toString())
                .contains("killed with SIGKILL 2 times")
                .contains("operations applied (committed state): 30,000 of 30,000")
                .contains("balances verified: 100 of 100 accounts match")
                .contains("RESULT: PASS");
    }

    @Test
    void inMemoryAndOnTheEngineTheSameRunGivesTheSameBalances() throws Exception {
        LedgerSimulation.Result memory = new LedgerSimulation(config(true)).run();
        Path data = Files.createTempDirectory("ledger-engine");
        try {
            LedgerSimulation.Result engine = new LedgerSimulation(config(true), new SimpleMeterRegistry(), data).run();
            assertThat(memory.backend()).isEqualTo("memory");
            assertThat(engine.backend()).isEqualTo("engine");
            assertThat(engine.passed()).as(engine.applied().summary()).isTrue();
            assertThat(engine.accountsMatching())
                    .isEqualTo(memory.accountsMatching())
                    .isEqualTo(200);
            assertThat(Files.exists(data.resolve("ledger-state.json"))).isTrue();
        } finally {
            Directories.deleteRecursively(data);
        }
    }

    @Test
    void aDataDirectoryWithAnEarlierRunIsRefused(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("something"), "x");
        StringWriter err = new StringWriter();
        CommandLine cli = OrdoCommand.commandLine()
                .setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(err));
        assertThat(cli.execute("demo", "ledger", "--data", dir.toString(), "--operations", "10"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("data directory must be new or empty");
    }

    @Test
    void theCommandExitsOneWhenBalancesDoNotMatch() {
        StringWriter out = new StringWriter();
        CommandLine cli =
                OrdoCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(new StringWriter()));
        int exit = cli.execute("demo", "ledger", "--operations", "5000", "--accounts", "50", "--no-ordering");

        assertThat(exit).isEqualTo(1);
        assertThat(out.toString()).contains("RESULT: FAIL");
    }

    @Test
    void badOptionsAreRefusedNamingTheOptionAndValue() {
        StringWriter err = new StringWriter();
        CommandLine cli = OrdoCommand.commandLine()
                .setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(err));
        int exit = cli.execute("demo", "ledger", "--accounts", "0");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("accounts must be >= 1, was 0");
    }

    @Test
    void theStatusLineShowsRateBufferedInFlightAndViolations() {
        String line =
                LedgerReport.statusLine(new LedgerSimulation.Status(150, 100, 7, 3, 2, null), 200, 1_000_000_000L);
        assertThat(line)
                .startsWith("[###############...............]  50% 100/200 operations")
                .contains("100 applied/s")
                .contains("buffered 7")
                .contains("in flight 3")
                .contains("violations 2");
    }

    @Test
    void whenNothingMovesTheStatusLineSaysWhatTheRunWaitsFor() {
        LedgerReport.StallWatch watch = new LedgerReport.StallWatch();
        String waiting = "waiting for teller teller-3 operation 812 since 40 ms of channel time (41 held behind it)";
        LedgerSimulation.Status stuck = new LedgerSimulation.Status(900, 700, 41, 0, 0, waiting);
        assertThat(watch.check(stuck, 0)).isEmpty();
        assertThat(watch.check(stuck, 1_000_000_000L))
                .as("one second is no stall yet")
                .isEmpty();
        assertThat(watch.check(stuck, 3_000_000_000L)).isEqualTo("| no progress for 3 s: " + waiting + "   ");
        LedgerSimulation.Status moving = new LedgerSimulation.Status(901, 701, 40, 0, 0, waiting);
        assertThat(watch.check(moving, 4_000_000_000L)).as("progress clears it").isEmpty();
    }

    @Test
    void aTellerWhoseOperationsStayMissingHaltsTheRunAndWhatWasAppliedIsVerified() throws Exception {
        // Almost every copy is lost: some operation stays missing past a short haltAfter.
        LedgerSimulation.Config harsh =
                new LedgerSimulation.Config(50, 3_000, 4, 16, 0.5, 0.85, 11, 4, true, Duration.ofMillis(5));
        LedgerSimulation.Result result = new LedgerSimulation(harsh).run();

        assertThat(result.outcome()).isEqualTo(LedgerSimulation.Outcome.HALTED);
        assertThat(result.halted())
                .isNotEmpty()
                .allSatisfy(reason -> assertThat(reason).contains("teller-"));
        assertThat(result.operationsReleased()).isLessThan(3_000);
        assertThat(result.accountsMatching())
                .as("the applied prefix matches its reference")
                .isEqualTo(50);
        assertThat(result.resequencer().skipped()).as("strict: nothing skipped").isZero();
        assertThat(result.applied().isClean()).as(result.applied().summary()).isTrue();
    }

    @Test
    void theCommandExitsThreeAndNamesWhatWasMissingWhenTheRunHalts() {
        StringWriter out = new StringWriter();
        CommandLine cli =
                OrdoCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(new StringWriter()));
        int exit = cli.execute(
                "demo",
                "ledger",
                "--in-memory",
                "--operations",
                "3000",
                "--accounts",
                "50",
                "--reorder-window",
                "16",
                "--duplicate-rate",
                "0.5",
                "--drop-rate",
                "0.85",
                "--seed",
                "11",
                "--halt-after",
                "5");

        assertThat(exit).as(out.toString()).isEqualTo(3);
        assertThat(out.toString())
                .contains("halted, waiting for an operator")
                .contains("teller-")
                .contains("operations released before the halt")
                .contains("RESULT: HALTED");
    }

    @Test
    void theProgressBarShowsTheShareDone() {
        assertThat(LedgerReport.bar(50, 200)).isEqualTo("[#######.......................]  25% 50/200 operations");
        assertThat(LedgerReport.bar(0, 0)).startsWith("[##############################] 100%");
    }
}
