package dev.ordo.causal;

import dev.ordo.Ticker;
import dev.ordo.flow.OrderingProcessor;
import java.time.Duration;
import java.util.Objects;

/**
 * A {@link CausalDeliveryBuffer} as a {@link java.util.concurrent.Flow.Processor}: vector-clocked
 * messages in, the same messages out in an order consistent with happened-before (a reply never
 * before its question), duplicates dropped. Demand is respected both ways (see
 * {@link OrderingProcessor}). When upstream completes while messages still wait for a message that
 * never came, downstream gets a {@link MissingDependencyException} instead of a silent completion.
 *
 * <p>{@link OrderingProcessor#tick()} reports a message stuck longer than the dependency timeout by
 * throwing {@link CausalityTimeoutException} to its caller.
 */
public final class CausalProcessor {

    private CausalProcessor() {}

    /** A processor holding at most {@code capacity} messages. */
    public static <T> OrderingProcessor<CausalMessage<T>, CausalMessage<T>> create(
            int capacity, Duration dependencyTimeout, Ticker ticker) {
        Objects.requireNonNull(dependencyTimeout, "dependencyTimeout must not be null");
        Objects.requireNonNull(ticker, "ticker must not be null");
        return OrderingProcessor.create(capacity, release -> {
            CausalDeliveryBuffer<T> buffer = CausalDeliveryBuffer.<T>builder()
                    .maxBuffered(capacity)
                    .dependencyTimeout(dependencyTimeout)
                    .ticker(ticker)
                    .build((sender, clock, message) -> release.accept(new CausalMessage<>(sender, clock, message)));
            return new OrderingProcessor.Stage<CausalMessage<T>>() {
                @Override
                public void offer(CausalMessage<T> item) {
                    buffer.offer(item.sender(), item.clock(), item.message());
                }

                @Override
                public int held() {
                    return buffer.buffered();
                }

                @Override
                public void tick() {
                    buffer.tick();
                }

                @Override
                public Throwable complete() {
                    int stuck = buffer.buffered();
                    return stuck == 0
                            ? null
                            : new MissingDependencyException("upstream completed with " + stuck
                                    + " messages still waiting for messages they causally depend on; delivered so far: "
                                    + buffer.deliveredClock());
                }
            };
        });
    }
}
