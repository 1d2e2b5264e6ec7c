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
 * {@code ordo explain}: asks a running operator server why something has not moved. About a consumer, for a key
 * ({@code ordo explain KEY --consumer NAME}) or one record ({@code --consumer NAME --partition P --offset O}):
 * where it is and what holds it (a parked record, a retry, a long handler, a fence, a stall, lag). About a
 * resequencer's source ({@code ordo explain --resequencer NAME SOURCE}): the range it waits for, since when,
 * what is held behind it, whether it is halted, and what resume or skip would do.
 */
@Command(
        name = "explain",
        mixinStandardHelpOptions = true,
        description = {
            "Say where a key's records, or one record, are in a running consumer and why they are held;",
            "or what a resequencer's source waits for.",
            "  ordo explain KEY --consumer NAME",
            "  ordo explain --consumer NAME --partition P --offset O",
            "  ordo explain --resequencer NAME SOURCE"
        })
public final class ExplainCommand implements Callable<Integer> {

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "KEY|SOURCE",
            description = "The record key (as text) with --consumer, the source with --resequencer.")
    String subject;

    @Option(
            names = "--server",
            paramLabel = "URL",
            defaultValue = "http://127.0.0.1:7070",
            description = "The operator server (default ${DEFAULT-VALUE}).")
    URI server;

    @CommandLine.ArgGroup(multiplicity = "1")
    Target target;

    /** Exactly one thing to ask about: a consumer or a resequencer. */
    static final class Target {
        @Option(names = "--consumer", required = true, paramLabel = "NAME", description = "A consumer on that server.")
        String consumer;

        @Option(
                names = "--resequencer",
                required = true,
                paramLabel = "NAME",
                description = "A resequencer on that server (attached with OrdoServer.attach).")
        String resequencer;
    }

    @Option(
            names = "--partition",
            paramLabel = "P",
            description = "With --offset and --consumer: explain the record at that position instead of a key.")
    Integer partition;

    @Option(names = "--offset", paramLabel = "O", description = "The record's offset in --partition.")
    Long offset;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        JsonNode answer = get(path());
        PrintWriter out = spec.commandLine().getOut();
        out.println(heading(answer) + ": " + answer.get("status").asText());
        answer.get("reasons").forEach(reason -> out.println("  " + reason.asText()));
        out.flush();
        return 0;
    }

    /** The API path the arguments ask for; a usage error if they do not fit together. */
    private String path() {
        boolean record = partition != null || offset != null;
        if (target.resequencer != null) {
            if (record) {
                throw usage("--partition and --offset explain a consumer's record, not a resequencer's source");
            }
            if (subject == null) {
                throw usage("--resequencer needs the SOURCE to explain");
            }
            return "/api/resequencers/" + encode(target.resequencer) + "/explain?source=" + encode(subject);
        }
        String consumer = "/api/consumers/" + encode(target.consumer) + "/explain?";
        if (!record) {
            if (subject == null) {
                throw usage("give a KEY, or --partition and --offset of a record");
            }
            return consumer + "key=" + encode(subject);
        }
        if (subject != null) {
            throw usage("KEY and --partition/--offset are mutually exclusive: explain a key or a record");
        }
        if (partition == null || offset == null) {
            throw usage("--partition and --offset go together, was "
                    + (partition == null ? "--offset " + offset : "--partition " + partition) + " alone");
        }
        return consumer + "partition=" + partition + "&offset=" + offset;
    }

    /** What the answer is about: {@code key K}, {@code record T-P@O (key K)} or {@code source S of R}. */
    private String heading(JsonNode answer) {
        if (target.resequencer != null) {
            return "source " + subject + " of " + target.resequencer;
        }
        if (subject != null) {
            return "key " + subject;
        }
        JsonNode key = answer.path("key");
        return "record " + answer.path("record").asText() + (key.isTextual() ? " (key " + key.asText() + ")" : "");
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        URI uri = server.resolve(path);
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
        return body;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
