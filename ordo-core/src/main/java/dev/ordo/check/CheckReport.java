package dev.ordo.check;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The verdict of the {@link OrderingChecker} on one history: how many messages were sent and
 * received, and a {@link Finding} for each kind of anomaly that occurred, with its
 * {@link Severity}.
 *
 * @param sent messages sent
 * @param received receipts (duplicates included)
 * @param findings one per anomaly kind found, in {@link Anomaly} order; empty when clean
 */
public record CheckReport(long sent, long received, List<Finding> findings) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public CheckReport {
        findings = List.copyOf(findings);
    }

    /** True when no anomaly of any kind was found. */
    public boolean isClean() {
        return findings.isEmpty();
    }

    /** The worst severity among the findings; empty when clean. */
    public Optional<Severity> severity() {
        return findings.stream().map(Finding::severity).max(Severity::compareTo);
    }

    /** How many anomalies of {@code anomaly} were found. */
    public long count(Anomaly anomaly) {
        return findings.stream()
                .filter(f -> f.anomaly() == anomaly)
                .mapToLong(Finding::count)
                .sum();
    }

    /** The first occurrence of {@code anomaly}, or null if there was none. */
    public String first(Anomaly anomaly) {
        return findings.stream()
                .filter(f -> f.anomaly() == anomaly)
                .map(Finding::first)
                .findFirst()
                .orElse(null);
    }

    /**
     * The report as a JSON document:
     * {@code {"sent":..,"received":..,"clean":..,"severity":"CRITICAL"|null,
     * "findings":[{"anomaly":..,"severity":..,"count":..,"first":..}]}},
     * {@code severity} being the worst of the findings'.
     */
    public String toJson() {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("sent", sent);
        document.put("received", received);
        document.put("clean", isClean());
        document.put("severity", severity().orElse(null));
        document.put("findings", findings);
        try {
            return JSON.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One line per anomaly kind with its severity, count and first example, or "clean":
     * <pre>
     * 6 sent, 7 received, worst: critical
     *   LOST (critical): 1, first: m1 (key b, source p, seq 1) was sent and never received
     * </pre>
     */
    public String summary() {
        if (isClean()) {
            return "clean: " + sent + " sent, " + received + " received, no anomalies";
        }
        StringBuilder b = new StringBuilder();
        b.append(sent).append(" sent, ").append(received).append(" received, worst: ");
        b.append(lowerCase(severity().orElseThrow()));
        for (Finding f : findings) {
            b.append(System.lineSeparator())
                    .append("  ")
                    .append(f.anomaly())
                    .append(" (")
                    .append(lowerCase(f.severity()))
                    .append("): ")
                    .append(f.count())
                    .append(", first: ")
                    .append(f.first());
        }
        return b.toString();
    }

    private static String lowerCase(Severity severity) {
        return severity.name().toLowerCase(Locale.ROOT);
    }
}
