package dev.ordo.time;

import dev.ordo.Ticker;
import dev.ordo.flow.OrderingProcessor;
import dev.ordo.flow.OverflowPolicy;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * An {@link EventTimeReorderer} as a {@link java.util.concurrent.Flow.Processor}: timestamped
 * events in (the input's {@code correction} flag is ignored), the same events out in event-time
 * order as the watermark passes them. Demand is respected both ways (see {@link OrderingProcessor});
 * when upstream completes, everything still held is released in order, as at the end of a bounded
 * stream in Flink.
 *
 * <pre>{@code
 * OrderingProcessor<TimedEvent<String, Reading>, TimedEvent<String, Reading>> inOrder = EventTimeProcessor.create(
 *         10_000,
 *         WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofSeconds(2)),
 *         Ticker.system(),
 *         late -> log(late));
 * publisher.subscribe(inOrder);
 * inOrder.subscribe(dashboard);
 * }</pre>
 *
 * Call {@link OrderingProcessor#tick()} regularly when the strategy detects idle sources.
 */
public final class EventTimeProcessor {

    private EventTimeProcessor() {}

    /**
     * A processor holding at most {@code capacity} events.
     *
     * @param lateEvents receives events later than the watermark under {@link LatePolicy#SIDE_OUTPUT}
     *        (under {@code CORRECTION} they go downstream flagged, under {@code DROP} nowhere)
     */
    public static <S extends Comparable<? super S>, T> OrderingProcessor<TimedEvent<S, T>, TimedEvent<S, T>> create(
            int capacity, WatermarkStrategy strategy, Ticker ticker, Consumer<TimedEvent<S, T>> lateEvents) {
        Objects.requireNonNull(strategy, "strategy must not be null");
        Objects.requireNonNull(ticker, "ticker must not be null");
        Objects.requireNonNull(lateEvents, "lateEvents must not be null");
        return OrderingProcessor.create(capacity, release -> {
            EventTimeReorderer<S, T> reorderer = EventTimeReorderer.<S, T>builder()
                    .watermarks(strategy)
                    .maxBuffered(capacity)
                    // A processor must not block in onNext; if an upstream sends more than asked, the
                    // watermark moves on to make room.
                    .overflowPolicy(OverflowPolicy.FORCE_GAP)
                    .ticker(ticker)
                    .lateSink(lateEvents::accept)
                    .build(release::accept);
            return new OrderingProcessor.Stage<TimedEvent<S, T>>() {
                @Override
                public void offer(TimedEvent<S, T> event) {
                    reorderer.offer(event.source(), event.sequence(), event.timestamp(), event.payload());
                }

                @Override
                public int held() {
                    return reorderer.stats().buffered();
                }

                @Override
                public void tick() {
                    reorderer.tick();
                }

                @Override
                public Throwable complete() {
                    reorderer.flush();
                    return null;
                }
            };
        });
    }
}
