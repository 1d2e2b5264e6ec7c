package dev.ordo.bench.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;

/**
 * What {@link LogBenchmark} reports: a Markdown table row per figure as it is measured, and after a
 * full run the figures as JSON in {@code ordo-bench/results/log-<date>.json}.
 */
final class Report {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Report() {}

    static void printHeader() {
        System.out.println("| system | durability | record | writers | records/s | MB/s | "
                + "p50 us | p99 us | p99.9 us | p99 after 1 s, us |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    }

    static Figure print(Figure f) {
        System.out.printf(
                Locale.ROOT,
                "| %s | %s | %d B | %d | %,.0f | %,.0f | %s | %s | %s | %s |%n",
                f.system(),
                f.durability(),
                f.recordBytes(),
                f.writers(),
                f.recordsPerSecond(),
                f.megabytesPerSecond(),
                micros(f.p50Micros()),
                micros(f.p99Micros()),
                micros(f.p999Micros()),
                micros(f.steadyP99Micros()));
        return f;
    }

    private static String micros(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%,.0f", value);
    }

    /**
     * Writes the full run's figures, with the machine and the 100 B single-writer interval rate, when
     * run from the repository's root (where {@code ordo-bench/results} exists).
     */
    static void writeJson(List<Figure> figures, Figure peak, double scale) throws IOException {
        Path out = Path.of("ordo-bench", "results", "log-" + LocalDate.now() + ".json");
        if (Files.isDirectory(out.getParent())) {
            ObjectNode doc = JSON.createObjectNode();
            doc.put("java", System.getProperty("java.version"));
            doc.put("processors", Runtime.getRuntime().availableProcessors());
            doc.put("scale", scale);
            doc.put("peak100BIntervalRecordsPerSecond", peak.recordsPerSecond());
            doc.set("figures", JSON.valueToTree(figures));
            JSON.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), doc);
            System.out.println("written to " + out);
        }
    }
}
