package dev.ordo.cli.demo;

import dev.ordo.check.Anomaly;
import dev.ordo.check.CheckReport;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the ledger demo prints: the live status line while it runs, and the report at the end. */
final class LedgerReport {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerReport.class);

    /** The anomalies a sequenced, keyed stream can show (causal and total-order ones do not apply here). */
    private static final List<Anomaly> SEQUENCE_ANOMALIES =
            List.of(Anomaly.LOST, Anomaly.DUPLICATED, Anomaly.REORDERED, Anomaly.GAP, Anomaly.UNEXPECTED);

    private LedgerReport() {}

    /**
     * Says, on the status line and once per stall in a WARN, what the run waits for when nothing was applied
     * for two seconds: never a silent standstill.
     */
    static final class StallWatch {
        private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(2);
        private long lastApplied = -1;
        private long since;
        private boolean warned;

        String check(LedgerSimulation.Status status, long now) {
            if (status.applied() != lastApplied) {
                lastApplied = status.applied();
                since = now;
                warned = false;
                return "";
            }
            long stalledNanos = now - since;
            if (stalledNanos < STALL_NANOS || status.waitingFor() == null) {
                return "";
            }
            String line =
                    "no progress for " + TimeUnit.NANOSECONDS.toSeconds(stalledNanos) + " s: " + status.waitingFor();
            if (!warned) {
                warned = true;
                LOG.warn("ledger demo: {}", line);
            }
            return "| " + line + "   ";
        }
    }

    /** The live status: progress, rate, what is held back and in flight, violations seen so far. */
    static String statusLine(LedgerSimulation.Status s, long total, long elapsedNanos) {
        double rate = elapsedNanos <= 0 ? 0 : s.applied() * 1e9 / elapsedNanos;
        return String.format(
                Locale.ROOT,
                "%s | %,.0f applied/s | buffered %,d | in flight %,d | violations %,d   ",
                bar(s.applied(), total),
                rate,
                s.buffered(),
                s.inFlight(),
                s.violations());
    }

    static String bar(long done, long total) {
        int width = 30;
        int filled = total == 0 ? width : (int) (width * Math.min(done, total) / total);
        return String.format(
                Locale.ROOT,
                "[%s%s] %3d%% %,d/%,d operations",
                "#".repeat(filled),
                ".".repeat(width - filled),
                total == 0 ? 100 : 100 * Math.min(done, total) / total,
                done,
                total);
    }

    static void print(PrintWriter out, LedgerSimulation.Result r) {
        LedgerSimulation.Config c = r.config();
        out.printf(
                Locale.ROOT,
                "Run: %,d operations on %,d accounts from %d tellers, %d handler threads, seed %d%s%n",
                c.operations(),
                c.accounts(),
                c.producers(),
                c.threads(),
                c.seed(),
                c.reorder() ? "" : "  (--no-ordering: applied as they arrive)");
        out.printf(
                Locale.ROOT,
                "  channel: reorder window %d, %.1f%% duplicated, %.1f%% dropped -> %,d arrivals "
                        + "(%,d duplicates, %,d drops, %,d redeliveries, %,d refused for room and sent again)%n",
                c.reorderWindow(),
                100 * c.duplicateRate(),
                100 * c.dropRate(),
                r.arrivals(),
                r.duplicated(),
                r.dropped(),
                r.redelivered(),
                r.refused());
        out.printf(
                Locale.ROOT,
                "  applied %s%n",
                switch (r.backend()) {
                    case "memory" -> "in memory (--in-memory)";
                    case "migrate" ->
                        "through the embedded engine, then Kafka, then Kafka re-partitioned 8 -> 3, the producer "
                                + "switched and the group handed over at each move";
                    case "kafka" ->
                        "through Apache Kafka: KafkaOrdoProducer to a topic of 8 partitions, "
                                + "KafkaOrdoConsumer in KEY order";
                    default ->
                        "through the embedded engine: durable log (fsync before every acknowledgement) "
                                + "and a consumer group";
                });
        out.printf(
                Locale.ROOT,
                "  throughput: %,.0f operations/s (%.2f s)%n",
                r.operationsPerSecond(),
                r.elapsedNanos() / 1e9);
        out.println();
        out.printf(Locale.ROOT, "  %-12s %12s %12s %12s%n", "anomaly", "on arrival", "resequenced", "applied");
        for (Anomaly a : SEQUENCE_ANOMALIES) {
            out.printf(
                    Locale.ROOT,
                    "  %-12s %,12d %,12d %,12d%n",
                    a.name().toLowerCase(Locale.ROOT),
                    r.onArrival().count(a),
                    r.resequenced().count(a),
                    r.applied().count(a));
        }
        out.println();
        if (c.reorder()) {
            out.printf(
                    Locale.ROOT,
                    "  resequencer: %,d released, %,d duplicates dropped, %,d gaps, %,d redelivery requests, "
                            + "peak buffered %,d%n",
                    r.resequencer().released(),
                    r.resequencer().duplicates(),
                    r.resequencer().gapsDetected(),
                    r.resequencer().redeliveryRequests(),
                    r.resequencer().peakBuffered());
        }
        out.printf(Locale.ROOT, "  executor: peak in flight %,d%n", r.peakInFlight());
        out.printf(Locale.ROOT, "  live ordering monitor on the applied stream: %,d violations%n", r.liveViolations());
        out.printf(
                Locale.ROOT,
                "  balances verified: %,d of %,d accounts match the sequential reference%s%n",
                r.accountsMatching(),
                c.accounts(),
                r.halted().isEmpty()
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                " of the %,d operations released before the halt",
                                r.operationsReleased()));
        printIfNotClean(out, "resequenced", r.resequenced());
        printIfNotClean(out, "applied", r.applied());
    }

    private static void printIfNotClean(PrintWriter out, String stage, CheckReport report) {
        if (!report.isClean()) {
            out.println("  " + stage + ": "
                    + report.summary().replace(System.lineSeparator(), System.lineSeparator() + "  "));
        }
    }
}
