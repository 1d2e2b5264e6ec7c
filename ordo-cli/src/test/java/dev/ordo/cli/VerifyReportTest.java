package dev.ordo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code ordo verify} reports for a history, class by class. */
class VerifyReportTest {

    @TempDir
    Path dir;

    private static String line(String type, String key, int sequence) {
        return "{\"type\":\"" + type + "\",\"key\":\"" + key + "\",\"source\":\"p\",\"sequence\":" + sequence
                + ",\"id\":\"m" + sequence + "\"}\n";
    }

    private String verify(Path history, String... options) {
        StringWriter out = new StringWriter();
        String[] args = new String[options.length + 2];
        args[0] = "verify";
        System.arraycopy(options, 0, args, 1, options.length);
        args[args.length - 1] = history.toString();
        OrdoCommand.commandLine()
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(new StringWriter()))
                .execute(args);
        return out.toString();
    }

    @Test
    void oneLostOneDuplicatedAndOneReorderedMessageAreCountedOnceEachAndNotAsGaps() throws Exception {
        // Keys a (m0 m2 m4) and b (m1 m3 m5) from one source p: m1 is lost, m0 arrives twice,
        // m3 arrives after m5 of its key.
        StringBuilder history = new StringBuilder();
        for (int s = 0; s < 6; s++) {
            history.append(line("sent", s % 2 == 0 ? "a" : "b", s));
        }
        for (int s : new int[] {0, 0, 2, 4, 5, 3}) {
            history.append(line("received", s % 2 == 0 ? "a" : "b", s));
        }
        Path file = dir.resolve("history.jsonl");
        Files.writeString(file, history);

        JsonNode report = new ObjectMapper().readTree(verify(file, "--json"));
        Map<String, Long> counts = new HashMap<>();
        report.get("findings")
                .forEach(f ->
                        counts.put(f.get("anomaly").asText(), f.get("count").asLong()));
        assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of("LOST", 1L, "DUPLICATED", 1L, "REORDERED", 1L));
        assertThat(verify(file)).doesNotContain("GAP");
    }

    @Test
    void theReportGivesEachClassItsSeverityAndChecksPartitionsAndTimesOfTheTopicLine() throws Exception {
        // ACC-1 belongs in partition 7 of 8; m1 is read from 6 and carries a time two hours ahead.
        Path file = dir.resolve("topic.jsonl");
        Files.writeString(
                file,
                "{\"type\":\"topic\",\"partitions\":8}\n"
                        + "{\"type\":\"sent\",\"key\":\"ACC-1\",\"source\":\"p\",\"id\":\"m0\"}\n"
                        + "{\"type\":\"sent\",\"key\":\"ACC-1\",\"source\":\"p\",\"id\":\"m1\"}\n"
                        + "{\"type\":\"sent\",\"key\":\"ACC-1\",\"source\":\"p\",\"id\":\"m2\"}\n"
                        + "{\"type\":\"received\",\"key\":\"ACC-1\",\"source\":\"p\",\"id\":\"m0\",\"partition\":7}\n"
                        + "{\"type\":\"received\",\"key\":\"ACC-1\",\"source\":\"p\",\"id\":\"m1\",\"partition\":6,"
                        + "\"timestamp\":7200001,\"at\":1}\n");
        String summary = verify(file);
        assertThat(summary.lines())
                .containsExactly(
                        "3 sent, 2 received, worst: critical",
                        "  LOST (critical): 1, first: m2 (key ACC-1, source p, seq -1) was sent and never received",
                        "  PARTITION_MISMATCH (warning): 1, first: m1 (key ACC-1, source p, seq -1, partition 6,"
                                + " timestamp 7200001) was read from partition 6, its key belongs in partition 7"
                                + " (Kafka's default partitioner over 8 partitions)",
                        "  TIMESTAMP_ANOMALY (info): 1, first: m1 (key ACC-1, source p, seq -1, partition 6,"
                                + " timestamp 7200001): event time 7200001 is PT2H after its receipt at 1"
                                + " (at most PT1H)");
        JsonNode json = new ObjectMapper().readTree(verify(file, "--json"));
        assertThat(json.get("severity").asText()).isEqualTo("CRITICAL");
        assertThat(json.get("findings"))
                .extracting(
                        f -> f.get("anomaly").asText() + " " + f.get("severity").asText())
                .containsExactly("LOST CRITICAL", "PARTITION_MISMATCH WARNING", "TIMESTAMP_ANOMALY INFO");
    }
}
