package dev.ordo.examples;

import dev.ordo.check.Anomaly;
import dev.ordo.check.CheckReport;
import dev.ordo.check.History;
import dev.ordo.check.HistoryLog;
import dev.ordo.check.Message;
import dev.ordo.check.OrderingMonitor;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.Serdes;
import dev.ordo.exec.KeyOrderedExecutor;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.metrics.OrdoMetrics;
import dev.ordo.sequence.Resequencer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Watching Ordo run and proving afterwards what it did: Micrometer meters of the log and of a consumer
 * (scraped by Prometheus), an online monitor of per-key order, and the offline checker's verdict on a
 * recorded history (also {@code ordo verify FILE}).
 */
public final class MonitoringExample {

    private MonitoringExample() {}

    public static void main(String[] args) throws IOException {
        System.out.println(violations(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
        System.out.println(verdict(Path.of("history.jsonl")).summary());
    }

    /** Consumes the ledger with meters on, and returns a Prometheus scrape once it is caught up. */
    static String scrapeAfterConsuming(EmbeddedLog log, Ledger ledger) throws InterruptedException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        log.bindTo(registry); // ordo.log.* per partition: end and start offsets, size, segments, offline
        try (RecordConsumer consumer = OrdoConsumer.builder(log, "ledger", Serdes.string(), Serdes.json(Txn.class))
                .group("balances")
                .metrics(registry) // ordo.consumer.* (lag, parked keys, stalled seconds, ...) and ordo.executor.*
                .stallTimeout(Duration.ofSeconds(30)) // no progress for that long: a WARN naming what it waits for
                .handler(record -> ledger.apply(record.key(), record.value()))
                .start()) {
            consumer.awaitCaughtUp(Duration.ofSeconds(30));
            return registry.scrape(); // serve it at /metrics
        }
    }

    /** What an online monitor flags in a stream that skips a number and then delivers it late. */
    static List<String> violations(MeterRegistry registry) {
        List<String> alerts = new CopyOnWriteArrayList<>();
        OrderingMonitor<String> monitor = OrderingMonitor.<String>builder()
                .stage("ledger-handler")
                .registry(registry) // counter ordo.ordering.violations{kind, severity, stage}
                .listener((violation, key, observed, expected) -> alerts.add(violation + " on " + key))
                .build();

        monitor.observe("teller-1", 0);
        monitor.observe("teller-1", 2); // GAP: 1 was skipped (the first of each kind is logged at WARN)
        monitor.observe("teller-1", 1); // REORDER: 1 came after 2
        return alerts;
    }

    /** The checker's verdict on a history of two sends received in the wrong order, written for `ordo verify`. */
    static CheckReport verdict(Path file) throws IOException {
        History history = new History();
        history.sent(new Message("ACC-1", "teller-1", 0, "op-0")); // key, source, sequence, id
        history.sent(new Message("ACC-1", "teller-1", 1, "op-1"));
        history.received(new Message("ACC-1", "teller-1", 1, "op-1"));
        history.received(new Message("ACC-1", "teller-1", 0, "op-0"));
        CheckReport report = history.check();
        report.count(Anomaly.REORDERED); // 1; report.isClean() is false, report.toJson() for machines
        HistoryLog.write(history, file); // then: ./ordo verify history.jsonl (exit code 1)
        return report;
    }

    /**
     * Meters of stages used without an engine: {@code ordo.resequencer.*} and
     * {@code ordo.executor.*}, tagged stage.
     */
    static void bindStageMeters(Resequencer<?, ?> resequencer, KeyOrderedExecutor<?> executor, MeterRegistry registry) {
        OrdoMetrics.resequencer(resequencer, "ledger").bindTo(registry); // released, duplicates, gaps, buffered, ...
        OrdoMetrics.executor(executor, "ledger").bindTo(registry); // submitted, retries, in flight, ...
    }
}
