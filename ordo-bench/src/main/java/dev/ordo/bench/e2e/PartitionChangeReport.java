package dev.ordo.bench.e2e;

import dev.ordo.bench.e2e.ChangeFigures.Change;
import dev.ordo.bench.e2e.ChangeFigures.Window;
import dev.ordo.partition.Placement;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The tables {@link PartitionChangeBenchmark} prints and writes: the share of keys each step moves; a
 * summary with a row per step and the placements side by side (each change against the steady seconds
 * of its own run); and per placement and sequence every window of both runs.
 */
final class PartitionChangeReport {

    /** The two runs of one placement and sequence: as fast as the group keeps up, then paced. */
    record Runs(ChangeFigures loaded, ChangeFigures paced) {}

    private final PartitionChangeSettings settings;

    PartitionChangeReport(PartitionChangeSettings settings) {
        this.settings = settings;
    }

    /** Per step of every sequence, the share of keys each placement moves, and the least any must move. */
    String keysMoved() {
        StringBuilder table = new StringBuilder("| step | least possible |");
        settings.placements().forEach(p -> table.append(' ').append(p.text()).append(" |"));
        table.append("\n|---|---:|")
                .append("---:|".repeat(settings.placements().size()))
                .append('\n');
        for (int[] counts : settings.sequences()) {
            for (int c = 1; c < counts.length; c++) {
                table.append(row(step(counts[c - 1], counts[c]), percent(KeysMoved.least(counts[c - 1], counts[c]))));
                for (Placement p : settings.placements()) {
                    table.append(' ')
                            .append(percent(movedShare(p, counts[c - 1], counts[c])))
                            .append(" |");
                }
                table.append('\n');
            }
        }
        return table.toString();
    }

    /** A row per step, placements side by side; a steady row heads each sequence. */
    String summary(List<Runs> runs) {
        String each = settings.placements().stream().map(Placement::text).collect(Collectors.joining(" / "));
        StringBuilder table = new StringBuilder(String.format(
                Locale.ROOT,
                "| step | keys moved, %1$s | handled/s in the change second, of steady, %1$s | the second after"
                        + " | producer pause (ms) | p99 (max) latency at %2$.0f%% of steady, change second (ms)"
                        + " | of it, moved keys' records sent after the change (ms) |%n"
                        + "|---|---:|---:|---:|---:|---|---|%n",
                each,
                settings.pacedShare() * 100));
        for (int[] counts : settings.sequences()) {
            List<Runs> ofSequence = runs.stream()
                    .filter(r -> Arrays.equals(r.loaded().counts(), counts))
                    .toList();
            table.append(row(
                            "steady (" + settings.steadySeconds(counts.length - 1).length + " s)",
                            "-",
                            joined(ofSequence, r -> steadyRate(r.loaded())),
                            "-",
                            "-",
                            joined(ofSequence, r -> steadyLatency(r.paced())),
                            "-"))
                    .append('\n');
            for (int c = 0; c < counts.length - 1; c++) {
                table.append(changeRow(counts, c, ofSequence)).append('\n');
            }
        }
        return table.toString();
    }

    /** The {@code change}th step of the sequence {@code counts}, each placement's run of it side by side. */
    private String changeRow(int[] counts, int change, List<Runs> runs) {
        int from = counts[change];
        int to = counts[change + 1];
        return row(
                step(from, to),
                settings.placements().stream()
                        .map(p -> percent(movedShare(p, from, to)))
                        .collect(Collectors.joining(" / ")),
                joined(runs, r -> ofSteady(r.loaded(), change, Change::during)),
                joined(runs, r -> ofSteady(r.loaded(), change, Change::next)),
                joined(runs, r -> millis(r.loaded().changes().get(change).alterMillis())),
                joined(runs, r -> latency(r.paced().changes().get(change).during())),
                joined(runs, r -> moved(r.paced().changes().get(change).moved())));
    }

    /** Every window of both runs of one placement and sequence. */
    String detail(Runs runs) {
        ChangeFigures loaded = runs.loaded();
        ChangeFigures paced = runs.paced();
        Window worst = paced.worstSteady();
        StringBuilder table = new StringBuilder(String.format(
                Locale.ROOT,
                "%s, %s: %,d records as fast as the group kept up (%,.0f-%,.0f handled in a steady second; %d of"
                        + " %d steady seconds below 80%% of their median), %,d out of order; %,d paced at %,.0f/s"
                        + " (the steady second of the largest latency: p99 %.1f ms, max %.1f ms), %,d out of order.%n%n",
                loaded.placement().text(),
                Arrays.stream(loaded.counts()).mapToObj(Integer::toString).collect(Collectors.joining(" -> ")),
                loaded.sent(),
                loaded.steadyHandled().getMin(),
                loaded.steadyHandled().getMax(),
                loaded.steadyBelow(0.8),
                loaded.steadySeconds().size(),
                loaded.outOfOrder(),
                paced.sent(),
                paced.rate(),
                worst.p99Millis(),
                worst.maxMillis(),
                paced.outOfOrder()));
        table.append("| second | handled/s | sent/s | longest send (ms) | pause (ms) | paced: handled/s | sent/s"
                + " | longest send (ms) | pause (ms) | p99 latency (ms) | max (ms) | moved keys after the change:"
                + " records, p99 (max) (ms) |\n");
        table.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        table.append(detailRow("steady (median)", loaded.steady(), paced.steady(), "-", "-", "-"));
        for (int c = 0; c < loaded.changes().size(); c++) {
            Change l = loaded.changes().get(c);
            Change p = paced.changes().get(c);
            String moved = String.format(Locale.ROOT, "%,d, %s", p.moved().records(), moved(p.moved()));
            table.append(detailRow(
                    step(l.from(), l.to()),
                    l.during(),
                    p.during(),
                    millis(l.alterMillis()),
                    millis(p.alterMillis()),
                    moved));
            table.append(detailRow("the one after", l.next(), p.next(), "", "", ""));
        }
        return table.toString();
    }

    private static String detailRow(
            String label, Window loaded, Window paced, String pauseLoaded, String pausePaced, String moved) {
        return row(
                        label,
                        String.format(Locale.ROOT, "%,.0f", loaded.handledPerSecond()),
                        String.format(Locale.ROOT, "%,.0f", loaded.sentPerSecond()),
                        String.format(Locale.ROOT, "%.1f", loaded.longestSendMillis()),
                        pauseLoaded,
                        String.format(Locale.ROOT, "%,.0f", paced.handledPerSecond()),
                        String.format(Locale.ROOT, "%,.0f", paced.sentPerSecond()),
                        String.format(Locale.ROOT, "%.1f", paced.longestSendMillis()),
                        pausePaced,
                        String.format(Locale.ROOT, "%.1f", paced.p99Millis()),
                        String.format(Locale.ROOT, "%.1f", paced.maxMillis()),
                        moved)
                + "\n";
    }

    private double movedShare(Placement placement, int from, int to) {
        return KeysMoved.share(placement, from, to, settings.movedKeys());
    }

    private static String joined(List<Runs> runs, Function<Runs, String> cell) {
        return runs.stream().map(cell).collect(Collectors.joining(" / "));
    }

    private static String ofSteady(ChangeFigures run, int change, Function<Change, Window> second) {
        return percent(second.apply(run.changes().get(change)).handledPerSecond()
                / run.steady().handledPerSecond());
    }

    private static String steadyRate(ChangeFigures run) {
        return String.format(
                Locale.ROOT,
                "%,.0f k/s (%,.0f-%,.0f k)",
                run.steady().handledPerSecond() / 1e3,
                run.steadyHandled().getMin() / 1e3,
                run.steadyHandled().getMax() / 1e3);
    }

    /** The typical steady second's, and the worst one's. */
    private static String steadyLatency(ChangeFigures run) {
        return latency(run.steady()) + ", worst " + latency(run.worstSteady());
    }

    private static String moved(ChangeFigures.Moved moved) {
        return String.format(Locale.ROOT, "%.1f (%.1f)", moved.p99Millis(), moved.maxMillis());
    }

    private static String millis(double value) {
        return String.format(Locale.ROOT, "%.0f", value);
    }

    private static String latency(Window window) {
        return String.format(Locale.ROOT, "%.1f (%.1f)", window.p99Millis(), window.maxMillis());
    }

    private static String step(int from, int to) {
        return from + " -> " + to;
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", share * 100);
    }

    private static String row(String... cells) {
        return "| " + String.join(" | ", cells) + " |";
    }
}
