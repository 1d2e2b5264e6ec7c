package dev.ordo.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordo.ManualTicker;
import dev.ordo.check.OrderingMonitor;
import dev.ordo.sequence.GapPolicy;
import dev.ordo.sequence.Resequencer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A resequencer's gaps and halted sources through the server, and the operator's decisions on them. */
class SequenceRoutesTest {

    private final ManualTicker ticker = new ManualTicker();
    private final List<String> released = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private Resequencer<String, String> resequencer;
    private OrderingMonitor<String> monitor;
    private OrdoServer server;

    @BeforeEach
    void start() throws Exception {
        resequencer = Resequencer.<String, String>builder()
                .ticker(ticker)
                .gapPolicy(GapPolicy.neverSkip(Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofSeconds(1)))
                .redeliveryRequester((source, from, to, attempt) -> {})
                .build((source, sequence, message) -> released.add(message));
        monitor = OrderingMonitor.<String>builder().build();
        server = OrdoServer.builder()
                .attach("tellers", resequencer)
                .attach("ledger-order", monitor)
                .start();
        resequencer.offer("teller-1", 0, "m0");
        resequencer.offer("teller-1", 3, "m3");
        resequencer.offer("teller-1", 4, "m4");
        ticker.advance(Duration.ofSeconds(2));
        resequencer.tick();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aHaltedSourceIsShownWithItsGapAndSkippingItWithTheTokenReleasesWhatWaited() throws Exception {
        JsonNode view = get("/api/resequencers").get(0);
        assertThat(view.get("name").asText()).isEqualTo("tellers");
        JsonNode gap = view.get("gaps").get(0);
        assertThat(gap.get("source").asText()).isEqualTo("teller-1");
        assertThat(gap.get("from").asLong()).isEqualTo(1);
        assertThat(gap.get("to").asLong()).isEqualTo(2);
        assertThat(gap.get("heldBehind").asInt()).isEqualTo(2);
        assertThat(view.get("halted").get(0).get("description").asText()).contains("teller-1 halted");

        String skip = "{\"source\": \"teller-1\", \"through\": 2, \"reason\": \"operator: teller-1 lost them\"}";
        assertThat(post("/api/resequencers/tellers/skip", skip, null).statusCode())
                .isEqualTo(401);
        assertThat(released).as("nothing released without the token").containsExactly("m0");

        HttpResponse<String> done = post("/api/resequencers/tellers/skip", skip, server.token());
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(json.readTree(done.body()).get("gapsSkipped").asInt()).isEqualTo(1);
        assertThat(released).containsExactly("m0", "m3", "m4");
        assertThat(get("/api/resequencers").get(0).get("gaps")).isEmpty();
        assertThat(post("/api/resequencers/tellers/resume", "{\"source\": \"teller-1\"}", server.token())
                        .statusCode())
                .as("no gap and no halt any more")
                .isEqualTo(409);
    }

    @Test
    void resumingKeepsTheSourceWaitingAndABadSkipIs400WithTheResequencersMessage() throws Exception {
        HttpResponse<String> resumed =
                post("/api/resequencers/tellers/resume", "{\"source\": \"teller-1\"}", server.token());
        assertThat(resumed.statusCode()).isEqualTo(200);
        assertThat(resequencer.halted()).isEmpty();
        assertThat(resequencer.gaps()).hasSize(1);

        HttpResponse<String> backwards = post(
                "/api/resequencers/tellers/skip",
                "{\"source\": \"teller-1\", \"through\": 0, \"reason\": \"typo\"}",
                server.token());
        assertThat(backwards.statusCode()).isEqualTo(400);
        assertThat(json.readTree(backwards.body()).get("error").asText()).contains("through");
        assertThat(released).containsExactly("m0");
    }

    @Test
    void explainingASourceNamesTheMissingRangeWhatWaitsBehindItAndWhatResumeOrSkipWouldDo() throws Exception {
        JsonNode halted = get("/api/resequencers/tellers/explain?source=teller-1");
        assertThat(halted.get("status").asText()).isEqualTo("HALTED");
        assertThat(halted.get("nextExpected").asLong()).isEqualTo(1);
        assertThat(halted.get("gaps").get(0).get("heldBehind").asInt()).isEqualTo(2);
        assertThat(halted.get("text").asText())
                .contains(
                        "missing [1, 2] for 2000 ms, 2 messages held behind",
                        "resume: acknowledges the halt and keeps waiting",
                        "skip teller-1 through 2: gives up on [1, 2] (2 messages, their effects lost) and releases"
                                + " the 2 messages held behind it");

        resequencer.resume("teller-1");
        resequencer.offer("teller-1", 6, "m6");
        JsonNode waiting = get("/api/resequencers/tellers/explain?source=teller-1");
        assertThat(waiting.get("status").asText()).isEqualTo("WAITING_FOR_GAP");
        assertThat(waiting.get("reasons").get(0).asText())
                .isEqualTo("waits for [1, 2] (2 messages), missing for 2000 ms: 3 messages are held behind it");
        assertThat(waiting.get("text").asText())
                .contains("also missing: [5, 5]", "not halted, so there is nothing to resume")
                .contains("releases the 2 messages held behind it, up to the next gap [5, 5]");

        resequencer.offer("teller-1", 1, "m1");
        resequencer.offer("teller-1", 2, "m2");
        resequencer.offer("teller-1", 5, "m5");
        JsonNode flowing = get("/api/resequencers/tellers/explain?source=teller-1");
        assertThat(flowing.get("status").asText()).isEqualTo("FLOWING");
        assertThat(flowing.get("nextExpected").asLong()).isEqualTo(7);
        JsonNode unknown = get("/api/resequencers/tellers/explain?source=teller-9");
        assertThat(unknown.get("status").asText()).isEqualTo("NOT_SEEN");
        assertThat(unknown.get("text").asText())
                .contains("has seen no source teller-9; it has seen 1 sources (teller-1)");
        assertThat(released).as("explaining changes nothing").containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6");

        assertThat(status("/api/resequencers/tellers/explain")).isEqualTo(400);
        assertThat(status("/api/resequencers/nobody/explain?source=teller-1")).isEqualTo(404);
        assertThat(post("/api/resequencers/tellers/explain?source=teller-1", "{}", server.token())
                        .statusCode())
                .isEqualTo(405);
    }

    @Test
    void violationsAreCountedPerKind() throws Exception {
        monitor.observe("ACC-1", 0);
        monitor.observe("ACC-1", 2);
        monitor.observe("ACC-1", 1);
        JsonNode counts = get("/api/violations").get("ledger-order");
        long total = 0;
        for (JsonNode n : counts) {
            total += n.asLong();
        }
        assertThat(total).isPositive();
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(server.url() + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    private int status(String path) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
                        HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    private HttpResponse<String> post(String path, String body, String token) throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(server.url() + path)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header(Exchanges.TOKEN_HEADER, token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
