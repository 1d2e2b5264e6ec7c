package dev.ordo.check;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The verdict of the {@link OrderingChecker} on one history: how many messages were sent and
 * received, and a {@link Finding} for each kind of anomaly that occurred.
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

    /** The report as a JSON document: {@code {"sent":..,"received":..,"clean":..,"findings":[..]}}. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(
                    Map.of("sent", sent, "received", received, "clean", isClean(), "findings", findings));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One line per anomaly kind with its count, or "clean". */
    public String summary() {
        if (isClean()) {
            return "clean: " + sent + " sent, " + received + " received, no anomalies";
        }
        StringBuilder b = new StringBuilder();
        b.append(sent).append(" sent, ").append(received).append(" received");
        for (Finding f : findings) {
            b.append(System.lineSeparator())
                    .append("  ")
                    .append(f.anomaly())
                    .append(": ")
                    .append(f.count())
                    .append(" (first: ")
                    .append(f.first())
                    .append(')');
        }
        return b.toString();
    }
}
