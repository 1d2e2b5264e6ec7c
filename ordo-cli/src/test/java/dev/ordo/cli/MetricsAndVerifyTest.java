package dev.ordo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.metrics.OrdoMetrics;
import dev.ordo.sequence.Resequencer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsAndVerifyTest {

    @TempDir
    Path dir;

    @Test
    void thePrometheusEndpointServesOrdoMetersOverHttp() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Resequencer<String, String> resequencer =
                Resequencer.<String, String>builder().build((s, q, m) -> {});
        OrdoMetrics.resequencer(resequencer, "scraped").bindTo(registry);
        for (long s = 0; s < 3; s++) {
            resequencer.offer("p", s, "m");
        }
        try (MetricsServer server = MetricsServer.start(registry, 0)) {
            HttpResponse<String> response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
            assertThat(response.body()).contains("ordo_resequencer_released_total{stage=\"scraped\"} 3.0");
        }
    }

    private static int run(StringWriter out, StringWriter err, String... args) {
        return OrdoCommand.commandLine()
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(args);
    }

    @Test
    void theDemoWritesAHistoryThatVerifyAccepts() {
        Path history = dir.resolve("ledger.jsonl");
        assertThat(run(
                        new StringWriter(),
                        new StringWriter(),
                        "demo",
                        "ledger",
                        "--operations",
                        "3000",
                        "--accounts",
                        "30",
                        "--history",
                        history.toString()))
                .isZero();
        StringWriter out = new StringWriter();
        assertThat(run(out, new StringWriter(), "verify", history.toString())).isZero();
        assertThat(out.toString()).startsWith("clean: 3000 sent, 3000 received");
    }

    @Test
    void verifyExitsOneAndNamesTheAnomaliesOfABadHistory() throws Exception {
        Path history = dir.resolve("unordered.jsonl");
        assertThat(run(
                        new StringWriter(),
                        new StringWriter(),
                        "demo",
                        "ledger",
                        "--operations",
                        "3000",
                        "--accounts",
                        "30",
                        "--no-ordering",
                        "--history",
                        history.toString()))
                .isEqualTo(1);
        StringWriter out = new StringWriter();
        assertThat(run(out, new StringWriter(), "verify", "--json", history.toString()))
                .isEqualTo(1);
        assertThat(out.toString())
                .contains("\"clean\" : false")
                .contains("\"anomaly\" : \"LOST\"")
                .contains("\"anomaly\" : \"DUPLICATED\"");
        assertThat(Files.size(history)).isPositive();
    }

    @Test
    void verifyRefusesUnreadableInputWithExitTwo() throws Exception {
        StringWriter err = new StringWriter();
        assertThat(run(
                        new StringWriter(),
                        err,
                        "verify",
                        dir.resolve("missing.jsonl").toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("HISTORY must be a readable file");
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"type\":\"sent\"}\n");
        StringWriter err2 = new StringWriter();
        assertThat(run(new StringWriter(), err2, "verify", bad.toString())).isEqualTo(2);
        assertThat(err2.toString()).contains("line 1: field 'key' is missing");
    }
}
