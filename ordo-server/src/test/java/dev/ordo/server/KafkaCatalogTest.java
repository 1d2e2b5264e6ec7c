package dev.ordo.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.kafka.KafkaBroker;
import dev.ordo.kafka.KafkaOrdoConsumer;
import dev.ordo.kafka.KafkaOrdoProducer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The operator server on Kafka: the cluster's topics and groups (with each group's lag), and a Kafka
 * consumer's parked key shown and resumed through the same API as on the embedded engine.
 */
class KafkaCatalogTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void topicsGroupsAndAParkedKeyOfAKafkaConsumerAreShownAndResumed() throws Exception {
        String servers = KafkaBroker.bootstrapServers();
        KafkaBroker.createTopic("payments", 3);
        try (RecordProducer<String, String> producer = KafkaOrdoProducer.builder(
                        servers, "payments", Serdes.string(), Serdes.string())
                .build()) {
            for (int i = 0; i < 30; i++) {
                producer.send("p" + (i % 5), Integer.toString(i));
            }
            producer.flush();
        }
        AtomicBoolean fixed = new AtomicBoolean();
        try (RecordConsumer consumer = KafkaOrdoConsumer.builder(servers, "payments", Serdes.string(), Serdes.string())
                        .group("settlement")
                        .commitInterval(Duration.ofMillis(50))
                        .handler(r -> {
                            if (r.value().equals("7") && !fixed.get()) {
                                throw new IllegalStateException("card p2 declined");
                            }
                        })
                        .start();
                OrdoServer server = OrdoServer.builder()
                        .attach("settlement", consumer)
                        .kafkaCatalog(servers)
                        .start()) {
            await().atMost(WAIT).until(() -> consumer.parked().size() == 1);

            JsonNode topic = null;
            for (JsonNode t : get(server, "/api/topics")) {
                if (t.get("name").asText().equals("payments")) {
                    topic = t;
                }
            }
            assertThat(topic).isNotNull();
            long records = 0;
            for (JsonNode p : topic.get("partitions")) {
                records += p.get("endOffset").asLong() - p.get("startOffset").asLong();
            }
            assertThat(records).isEqualTo(30);

            await().atMost(WAIT).until(() -> groupLag(server) > 0);
            JsonNode members = null;
            for (JsonNode g : get(server, "/api/groups")) {
                if (g.get("group").asText().equals("settlement")) {
                    members = g.get("members");
                }
            }
            assertThat(members)
                    .as("the running member with its three partitions")
                    .hasSize(1);
            assertThat(members.get(0).get("partitions").toString()).isEqualTo("[0,1,2]");
            JsonNode key = get(server, "/api/consumers/settlement/keys").get(0);
            assertThat(key.get("key").asText()).isEqualTo("p2");
            assertThat(key.get("state").asText()).isEqualTo("PARKED");

            fixed.set(true);
            HttpResponse<String> resumed = http.send(
                    HttpRequest.newBuilder(URI.create(server.url() + "/api/consumers/settlement/resume"))
                            .header(Exchanges.TOKEN_HEADER, server.token())
                            .POST(HttpRequest.BodyPublishers.ofString("{\"partition\": "
                                    + key.get("partition").asInt() + ", \"offset\": "
                                    + key.get("offset").asLong() + "}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(resumed.statusCode()).as(resumed.body()).isEqualTo(200);
            assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
            await().atMost(WAIT).until(() -> groupLag(server) == 0);
        }
    }

    /** The settlement group's lag on payments, or -1 while the group has committed nothing. */
    private long groupLag(OrdoServer server) throws Exception {
        for (JsonNode g : get(server, "/api/groups")) {
            if (g.get("group").asText().equals("settlement")
                    && g.get("topic").asText().equals("payments")) {
                return g.get("lag").asLong();
            }
        }
        return -1;
    }

    private JsonNode get(OrdoServer server, String path) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(server.url() + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }
}
