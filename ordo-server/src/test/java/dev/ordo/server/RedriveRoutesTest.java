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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An operator sends a consumer's dead letters back through the server, each key's in its order. */
class RedriveRoutesTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void deadLettersGoBackInEachKeysOrderWithTheTokenAndNotWithoutIt() throws Exception {
        AtomicBoolean broken = new AtomicBoolean(true);
        Map<String, List<String>> handled = new ConcurrentHashMap<>();
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("ledger", TopicSpec.partitions(2));
            log.createTopic("ledger.dlq", TopicSpec.partitions(1));
            try (RecordProducer<String, String> producer = OrdoProducer.builder(
                            log, "ledger", Serdes.string(), Serdes.string())
                    .build()) {
                for (int i = 0; i < 40; i++) {
                    producer.send("k" + (i % 4), Integer.toString(i));
                }
                producer.flush();
            }
            try (RecordConsumer consumer = OrdoConsumer.builder(log, "ledger", Serdes.string(), Serdes.string())
                            .group("balances")
                            .deadLetter("ledger.dlq")
                            .handler(r -> {
                                boolean poison =
                                        r.key().equals("k1") && r.value().equals("9"); // fails always
                                if (poison
                                        || (broken.get() && r.key().equals("k1") && Integer.parseInt(r.value()) < 20)) {
                                    throw new IllegalStateException("downstream of k1 down");
                                }
                                handled.computeIfAbsent(r.key(), k -> new CopyOnWriteArrayList<>())
                                        .add(r.value());
                            })
                            .start();
                    OrdoServer server = OrdoServer.builder()
                            .attach("balances", consumer)
                            .catalog(log)
                            .start()) {
                assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
                assertThat(consumer.stats().deadLettered()).isEqualTo(5);
                broken.set(false);

                String body = "{\"deadLetterTopic\": \"ledger.dlq\"}";
                assertThat(post(server, body, null).statusCode()).isEqualTo(401);
                assertThat(post(server, "{\"deadLetterTopic\": \"nope\"}", server.token())
                                .statusCode())
                        .isEqualTo(400);
                assertThat(post(server, "{\"deadLetterTopic\": \"ledger\"}", server.token())
                                .statusCode())
                        .as("its own topic: it would send its records back for ever")
                        .isEqualTo(400);
                HttpResponse<String> started = post(server, body, server.token());
                assertThat(started.statusCode()).as(started.body()).isEqualTo(202);

                await().atMost(WAIT).until(() -> {
                    JsonNode redrive = get(server, "/api/redrives").get(0);
                    return redrive.get("done").asBoolean()
                            && redrive.get("redriven").asLong() == 5
                            && redrive.get("failedAgain").asLong() == 1;
                });
                assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
                assertThat(handled.get("k1"))
                        .as("k1's later records, then its dead letters back in their order (9 fails for good)")
                        .containsExactly("21", "25", "29", "33", "37", "1", "5", "13", "17");
                assertThat(consumer.stats().deadLettered())
                        .as("9 failed again: dead-lettered again and left there, not sent round again")
                        .isEqualTo(6);
            }
        }
    }

    private HttpResponse<String> post(OrdoServer server, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(server.url() + "/api/consumers/balances/redrive"))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header(Exchanges.TOKEN_HEADER, token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(OrdoServer server, String path) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(server.url() + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }
}
