package dev.ordo.examples;

import dev.ordo.time.AdaptiveBound;
import dev.ordo.time.ArrivalModel;
import dev.ordo.time.EventTimeReorderer;
import dev.ordo.time.LatePolicy;
import dev.ordo.time.TimedEvent;
import dev.ordo.time.WatermarkStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Event time: readings of two sensors arrive out of order and are released in the order they were taken,
 * once the watermark (newest time seen minus the bound) has passed them; a reading too late for that goes
 * to a side output.
 */
public final class EventTimeExample {

    /** What the reorderer released in order, and what it set aside as late. */
    record Outcome(List<TimedEvent<String, Double>> inOrder, List<TimedEvent<String, Double>> late) {}

    private EventTimeExample() {}

    public static void main(String[] args) {
        System.out.println(run());
    }

    static Outcome run() {
        long t = 1_700_000_000_000L;
        List<TimedEvent<String, Double>> inOrder = new ArrayList<>();
        List<TimedEvent<String, Double>> late = new ArrayList<>();
        EventTimeReorderer<String, Double> reorderer = EventTimeReorderer.<String, Double>builder()
                .watermarks(WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofSeconds(2))
                        .withIdleness(Duration.ofSeconds(30)) // a silent sensor stops holding time back
                        .withAllowedLateness(Duration.ofMinutes(1)) // later than that: dropped and counted
                        .withLatePolicy(LatePolicy.SIDE_OUTPUT)) // or DROP, CORRECTION
                .sources(List.of("sensor-1", "sensor-2")) // declared sensors hold time back until they speak
                .lateSink(late::add)
                .build(inOrder::add);

        reorderer.offer("sensor-1", 0, t + 3_000, 20.5); // sensor, its sequence number, event time (ms), reading
        reorderer.offer("sensor-1", 1, t + 1_000, 20.1);
        reorderer.offer("sensor-2", 0, t + 2_000, 19.8);
        reorderer.offer("sensor-1", 2, t + 9_000, 21.0);
        reorderer.offer("sensor-2", 1, t + 8_000, 20.2); // watermark 8 s - 2 s: releases the 1, 2 and 3 s readings
        reorderer.offer("sensor-2", 2, t + 500, 19.5); // behind the watermark: late, to the side output
        reorderer.tick(); // call regularly: notices idle sensors without new readings
        reorderer.flush(); // at the end of the input: releases what the watermark still holds
        return new Outcome(inOrder, late);
    }

    /** Watermarks whose out-of-orderness bound is the 99th percentile of the delays seen lately. */
    static WatermarkStrategy adaptiveWatermarks() {
        return WatermarkStrategy.forAdaptiveOutOfOrderness(
                        AdaptiveBound.targeting(0.99).withInitial(Duration.ofSeconds(2)))
                .withIdleness(Duration.ofSeconds(30));
    }

    /** Watermarks whose bound is the 99th percentile learned for this hour of the day on earlier days. */
    static WatermarkStrategy learnedWatermarks() {
        ArrivalModel model = ArrivalModel.hourly().withDefault(Duration.ofSeconds(2));
        return WatermarkStrategy.forLearnedOutOfOrderness(model, 0.99).withIdleness(Duration.ofSeconds(30));
    }
}
