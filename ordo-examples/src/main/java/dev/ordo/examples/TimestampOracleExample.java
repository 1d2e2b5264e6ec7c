package dev.ordo.examples;

import dev.ordo.causal.HybridLogicalClock;
import dev.ordo.engine.HybridClockHandler;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.OrdoRecord;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.engine.TimestampAnomaly;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.producer.OrdoProducer;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The timestamp oracle and total order across machines (docs/ordering-stages.md): replies stamped later than
 * the requests they answer, whatever the machines' clocks; and every replica handling a topic's records in
 * one order.
 */
public final class TimestampOracleExample {

    private TimestampOracleExample() {}

    /** Answers requests with replies stamped after them; anomalies (a clock far ahead) go to {@code alerts}. */
    static RecordConsumer answering(EmbeddedLog log, List<TimestampAnomaly> alerts, MeterRegistry meterRegistry) {
        HybridLogicalClock clock = HybridLogicalClock.system(); // one per machine (process); drift bound 1 s
        RecordProducer<String, String> replies = OrdoProducer.builder(log, "replies", Serdes.string(), Serdes.string())
                .hybridClock(clock)
                .build();
        return OrdoConsumer.builder(log, "requests", Serdes.string(), Serdes.string())
                .group("answering")
                .handler(HybridClockHandler.<String, String>merging(
                                clock, request -> replies.send(request.key(), answer(request)))
                        .reportingTo(anomaly -> alerts.add(anomaly)) // TimestampAnomaly: where, the stamp, local time
                        .countingIn(meterRegistry)) // ordo.hlc.anomalies{topic}
                .start();
    }

    private static String answer(OrdoRecord<String, String> request) {
        return "re: " + request.value();
    }

    /**
     * One replica of a state machine: every replica applies the commands in the same order. Its producer stays
     * open as long as the replica: its heartbeats keep the partitions it does not write to moving.
     */
    static Replica replica(EmbeddedLog log, String processId, Consumer<String> replica) {
        HybridLogicalClock clock = HybridLogicalClock.system();
        RecordProducer<String, String> commands = OrdoProducer.builder(
                        log, "commands", Serdes.string(), Serdes.string())
                .hybridClock(clock)
                .heartbeats(Duration.ofMillis(20)) // idle partitions do not hold the order back
                .build();
        RecordConsumer consumer = OrdoConsumer.builder(log, "commands", Serdes.string(), Serdes.string())
                .group("replica-" + processId) // a group of its own: every replica reads every partition
                .ordering(Ordering.TOTAL) // one record at a time, in the order every replica shares
                .handler(command -> replica.accept(command.value()))
                .start();
        commands.send("x", "x = " + processId);
        return new Replica(commands, consumer);
    }

    /** A replica's producer and consumer, closed together. */
    record Replica(RecordProducer<String, String> commands, RecordConsumer consumer) implements AutoCloseable {
        @Override
        public void close() {
            consumer.close();
            commands.close();
        }
    }
}
