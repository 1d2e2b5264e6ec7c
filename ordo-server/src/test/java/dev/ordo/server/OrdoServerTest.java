package dev.ordo.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator server over a running embedded consumer with a parked key: what it shows, that its one
 * mutating action works with the token, and that every unsafe request is refused and changes nothing.
 */
class OrdoServerTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicBoolean fixed = new AtomicBoolean();
    private final List<String> k1 = new CopyOnWriteArrayList<>();
    private EmbeddedLog log;
    private RecordConsumer consumer;
    private OrdoServer server;

    @BeforeEach
    void start() throws Exception {
        log = EmbeddedLog.open(data);
        log.createTopic("ledger", TopicSpec.partitions(2));
        try (RecordProducer<String, String> producer = OrdoProducer.builder(
                        log, "ledger", Serdes.string(), Serdes.string())
                .build()) {
            for (int i = 0; i < 40; i++) {
                producer.send("k" + (i % 4), Integer.toString(i));
            }
            producer.flush();
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        consumer = OrdoConsumer.builder(log, "ledger", Serdes.string(), Serdes.string())
                .group("balances")
                .metrics(registry)
                .handler(r -> {
                    if (r.value().equals("5") && !fixed.get()) {
                        throw new IllegalStateException("account k1 is locked");
                    }
                    if (r.key().equals("k1")) {
                        k1.add(r.value());
                    }
                })
                .start();
        server = OrdoServer.builder()
                .attach("balances", consumer)
                .catalog(log)
                .metrics(registry)
                .stuckAfter(Duration.ofSeconds(5))
                .start();
        await().atMost(WAIT).until(() -> consumer.parked().size() == 1);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        consumer.close();
        log.close();
    }

    @Test
    void theParkedKeyIsShownAsStuckAndResumingItWithTheTokenDrainsIt() throws Exception {
        JsonNode consumers = getJson("/api/consumers");
        assertThat(consumers).hasSize(1);
        assertThat(consumers.get(0).get("name").asText()).isEqualTo("balances");
        assertThat(consumers.get(0).get("stuckKeys").asInt()).isEqualTo(1);
        assertThat(consumers.get(0).get("stats").get("parkedKeys").asInt()).isEqualTo(1);

        JsonNode keys = getJson("/api/consumers/balances/keys");
        JsonNode stuck = keys.get(0);
        assertThat(stuck.get("key").asText()).isEqualTo("k1");
        assertThat(stuck.get("state").asText()).isEqualTo("PARKED");
        assertThat(stuck.get("stuck").asBoolean()).isTrue();
        assertThat(stuck.get("lastError").asText()).contains("account k1 is locked");
        assertThat(stuck.get("waitingBehind").asInt()).isEqualTo(8);

        JsonNode why = getJson("/api/consumers/balances/explain?key=k1");
        assertThat(why.get("status").asText()).isEqualTo("PARKED");
        assertThat(why.get("text").asText()).contains("resume or skip");

        fixed.set(true);
        HttpResponse<String> resumed = post("/api/consumers/balances/resume", resumeBody(stuck), server.token());
        assertThat(resumed.statusCode()).isEqualTo(200);
        assertThat(json.readTree(resumed.body()).get("resumed").asBoolean()).isTrue();
        assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
        assertThat(k1).containsExactly("1", "5", "9", "13", "17", "21", "25", "29", "33", "37");
        await().atMost(WAIT).until(() -> getJson("/api/consumers/balances/keys").isEmpty());
    }

    @Test
    void explainingARecordNamesTheParkedHeadItWaitsBehindAndABadPositionIs400NamingTheField() throws Exception {
        await().atMost(WAIT).until(() -> consumer.stats().inFlight() == 9); // the parked record and 8 behind it
        JsonNode stuck = getJson("/api/consumers/balances/keys").get(0);
        int partition = stuck.get("partition").asInt();
        long head = stuck.get("offset").asLong();
        String explain = "/api/consumers/balances/explain?partition=" + partition + "&offset=";
        JsonNode parked = getJson(explain + head);
        assertThat(parked.get("status").asText()).isEqualTo("PARKED");
        assertThat(parked.get("record").asText()).isEqualTo("ledger-" + partition + "@" + head);
        JsonNode behind = null;
        for (long offset = head + 1; behind == null && offset < 40; offset++) {
            JsonNode answer = getJson(explain + offset);
            if (!answer.get("status").asText().equals("HANDLED")) {
                behind = answer; // the first record after the head not handled: k1's next
            }
        }
        assertThat(behind).isNotNull();
        assertThat(behind.get("status").asText()).isEqualTo("WAITING_BEHIND");
        assertThat(behind.get("key").asText()).isEqualTo("k1");
        assertThat(behind.get("head").get("offset").asLong()).isEqualTo(head);
        assertThat(behind.get("text").asText()).contains("account k1 is locked", "resume or skip");

        Map<String, String> refused = Map.of(
                "?partition=x&offset=0", "partition must be a whole number, was x",
                "?partition=0&offset=1.5", "offset must be a whole number, was 1.5",
                "?partition=-1&offset=0", "partition must be >= 0, was -1",
                "?partition=0&offset=-2", "offset must be >= 0, was -2",
                "?partition=0", "needs both partition and offset, was partition 0 alone",
                "?key=k1&partition=0&offset=0", "either key or partition and offset, not both",
                "", "explain needs the query parameter key, or partition and offset");
        for (Map.Entry<String, String> bad : refused.entrySet()) {
            HttpResponse<String> response = get("/api/consumers/balances/explain" + bad.getKey());
            assertThat(response.statusCode()).as(bad.getKey()).isEqualTo(400);
            assertThat(json.readTree(response.body()).get("error").asText()).contains(bad.getValue());
        }
    }

    @Test
    void aMutationWithoutTheRightTokenIs401AndChangesNothing() throws Exception {
        JsonNode stuck = getJson("/api/consumers/balances/keys").get(0);
        fixed.set(true);
        assertThat(post("/api/consumers/balances/resume", resumeBody(stuck), null)
                        .statusCode())
                .isEqualTo(401);
        assertThat(post("/api/consumers/balances/resume", resumeBody(stuck), "wrong-token-wrong-token")
                        .statusCode())
                .isEqualTo(401);
        assertThat(consumer.parked()).as("still parked").hasSize(1);
    }

    @Test
    void anOversizedBodyIs413AndChangesNothing() throws Exception {
        fixed.set(true);
        String huge = "{\"partition\": 0, \"offset\": 0, \"reason\": \"" + "x".repeat(20_000) + "\"}";
        HttpResponse<String> response = post("/api/consumers/balances/skip", huge, server.token());
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("request body over 16384 bytes");
        assertThat(consumer.parked()).hasSize(1);
        assertThat(consumer.stats().skipped()).isZero();
    }

    @Test
    void malformedOrUnexpectedJsonIs400WithAMessageAndChangesNothing() throws Exception {
        JsonNode stuck = getJson("/api/consumers/balances/keys").get(0);
        int partition = stuck.get("partition").asInt();
        fixed.set(true);
        for (String body : List.of(
                "{\"partition\": " + partition + ", \"offset\": 5",
                "{\"partition\": " + partition + ", \"offset\": 5, \"evil\": true}",
                "{\"partition\": " + partition + ", \"offset\": 5} {}",
                "{\"partition\": " + partition + ", \"partition\": 1, \"offset\": 5}",
                "[1, 2]",
                "")) {
            HttpResponse<String> response = post("/api/consumers/balances/resume", body, server.token());
            assertThat(response.statusCode()).as(body).isEqualTo(400);
            assertThat(json.readTree(response.body()).get("error").asText())
                    .as(body)
                    .isNotBlank();
        }
        HttpResponse<String> noReason = post(
                "/api/consumers/balances/skip",
                "{\"partition\": " + partition + ", \"offset\": 5, \"reason\": \" \"}",
                server.token());
        assertThat(noReason.statusCode()).isEqualTo(400);
        assertThat(noReason.body()).contains("skip needs a reason");
        assertThat(consumer.parked()).hasSize(1);
        assertThat(consumer.stats().skipped()).isZero();
    }

    @Test
    void skippingThroughTheApiIsRecordedAndTheKeyGoesOn() throws Exception {
        JsonNode stuck = getJson("/api/consumers/balances/keys").get(0);
        String body = "{\"partition\": " + stuck.get("partition").asInt() + ", \"offset\": "
                + stuck.get("offset").asLong() + ", \"reason\": \"operator: account closed\"}";
        HttpResponse<String> skipped = post("/api/consumers/balances/skip", body, server.token());
        assertThat(skipped.statusCode()).isEqualTo(200);
        assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
        assertThat(consumer.stats().skipped()).isEqualTo(1);
        assertThat(k1).doesNotContain("5").contains("9", "37");
        assertThat(post("/api/consumers/balances/skip", body, server.token()).statusCode())
                .as("nothing parked there any more")
                .isEqualTo(409);
    }

    @Test
    void topicsGroupsMetricsAndTheDashboardAreServedAndUnknownPathsAre404() throws Exception {
        JsonNode topics = getJson("/api/topics");
        assertThat(topics.get(0).get("name").asText()).isEqualTo("ledger");
        assertThat(topics.get(0).get("partitions")).hasSize(2);
        long records = 0;
        for (JsonNode p : topics.get(0).get("partitions")) {
            records += p.get("endOffset").asLong() - p.get("startOffset").asLong();
        }
        assertThat(records).isEqualTo(40);
        long size = 0;
        for (JsonNode p : topics.get(0).get("partitions")) {
            size += p.get("sizeBytes").asLong();
        }
        assertThat(size).as("the partitions' segments on disk").isPositive();
        await().atMost(WAIT).until(() -> getJson("/api/groups").size() == 1);
        JsonNode group = getJson("/api/groups").get(0);
        assertThat(group.get("group").asText()).isEqualTo("balances");
        assertThat(group.get("members")).hasSize(1);
        assertThat(group.get("members").get(0).get("partitions").toString()).isEqualTo("[0,1]");

        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("ordo_consumer_parked_keys", "ordo_consumer_handler_time_seconds");

        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(v -> assertThat(v).contains("default-src 'self'"));
        assertThat(page.body()).contains("Stuck keys");
        assertThat(get("/app.js").body()).contains("X-Ordo-Token");

        assertThat(get("/api/nothing").statusCode()).isEqualTo(404);
        assertThat(get("/api/consumers/nobody/keys").statusCode()).isEqualTo(404);
        assertThat(get("/api/consumers/balances/resume").statusCode()).isEqualTo(405);
        assertThat(get("/api/consumers/balances/keys?limit=0").statusCode()).isEqualTo(400);
        assertThat(rawStatus("localhost", "/api/consumers/balances/explain?key=%zz"))
                .as("a malformed escape in the query")
                .isEqualTo(400);
    }

    @Test
    void aRequestNamingAnotherHostIs403AgainstDnsRebinding() throws Exception {
        assertThat(rawStatus("evil.example", "/api/consumers")).isEqualTo(403);
        assertThat(rawStatus("localhost:" + server.port(), "/api/consumers")).isEqualTo(200);
        assertThat(rawStatus("127.0.0.1:" + server.port(), "/api/consumers")).isEqualTo(200);
    }

    /** The status of a GET of {@code path} sent with {@code host} as its Host header (HttpClient sets its own). */
    private int rawStatus(String host, String path) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(
                            socket.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII))
                    .readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    @Test
    void itBindsToLoopbackByDefaultAndRefusesAShortToken() {
        assertThat(server.url()).startsWith("http://127.0.0.1:");
        assertThat(server.dashboardUrl()).endsWith("/#token=" + server.token());
        assertThat(server.token()).hasSizeGreaterThanOrEqualTo(32);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> OrdoServer.builder().token("short"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token must be at least 16");
    }

    private static String resumeBody(JsonNode key) {
        return "{\"partition\": " + key.get("partition").asInt() + ", \"offset\": "
                + key.get("offset").asLong() + "}";
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(server.url() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode getJson(String path) throws Exception {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    private HttpResponse<String> post(String path, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header(Exchanges.TOKEN_HEADER, token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
