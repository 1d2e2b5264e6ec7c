package dev.ordo.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ordo explain KEY --server URL --consumer NAME}: asks a running operator server where a key's records
 * are in one of its consumers and what holds them (a parked record, a retry, a long handler, a stall, lag).
 */
@Command(
        name = "explain",
        mixinStandardHelpOptions = true,
        description = "Say where a key's records are in a running consumer and why they are held.")
public final class ExplainCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "KEY", description = "The record key (as text).")
    String key;

    @Option(
            names = "--server",
            paramLabel = "URL",
            defaultValue = "http://127.0.0.1:7070",
            description = "The operator server (default ${DEFAULT-VALUE}).")
    URI server;

    @Option(
            names = "--consumer",
            required = true,
            paramLabel = "NAME",
            description = "The consumer's name on that server.")
    String consumer;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        URI uri = server.resolve("/api/consumers/" + URLEncoder.encode(consumer, StandardCharsets.UTF_8)
                + "/explain?key=" + URLEncoder.encode(key, StandardCharsets.UTF_8));
        HttpResponse<String> response;
        try {
            response = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build()
                    .send(
                            HttpRequest.newBuilder(uri)
                                    .timeout(Duration.ofSeconds(10))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IOException("no operator server answers at " + server + " (" + e + ")", e);
        }
        JsonNode body = new ObjectMapper().readTree(response.body());
        if (response.statusCode() != 200) {
            throw new IllegalArgumentException(
                    "the server refused: " + body.path("error").asText("status " + response.statusCode()));
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("key " + key + ": " + body.get("status").asText());
        body.get("reasons").forEach(reason -> out.println("  " + reason.asText()));
        out.flush();
        return 0;
    }
}
