package dev.ordo.sequence;

import dev.ordo.Arguments;
import dev.ordo.flow.OrderingProcessor;
import dev.ordo.flow.OverflowPolicy;
import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * A {@link Resequencer} as a {@link Flow.Processor}, so that it plugs into Reactive Streams code
 * (Reactor, RxJava, Akka Streams and the JDK's {@code SubmissionPublisher} all speak
 * {@code java.util.concurrent.Flow}): sequenced messages in, the same messages in order out.
 *
 * <p>Demand is respected both ways: downstream receives no more than it {@code request}ed, and
 * upstream is asked for at most {@code capacity} messages beyond what this processor has passed
 * on, counting those waiting for a gap and those released but not yet requested downstream. A
 * downstream that stops requesting therefore stops the upstream within {@code capacity} messages.
 * When upstream completes while messages still wait for a gap, downstream gets a
 * {@link SequenceGapException} naming the oldest gap instead of a silent completion.
 *
 * <pre>{@code
 * ResequencingProcessor<Order> inOrder = ResequencingProcessor.create(1_024,
 *         GapPolicy.skipAfter(Duration.ofSeconds(1)));
 * publisher.subscribe(inOrder);
 * inOrder.subscribe(orderHandler);
 * }</pre>
 *
 * @param <T> the message type
 */
public final class ResequencingProcessor<T> implements Flow.Processor<Sequenced<T>, T> {

    private final OrderingProcessor<Sequenced<T>, T> processor;

    private ResequencingProcessor(int capacity, GapPolicy gapPolicy) {
        this.processor = OrderingProcessor.create(capacity, release -> {
            Resequencer<String, T> resequencer = Resequencer.<String, T>builder()
                    .maxBuffered(capacity)
                    .gapPolicy(gapPolicy)
                    // A processor must not block in onNext; an item too far ahead skips the oldest gap.
                    .overflowPolicy(OverflowPolicy.FORCE_GAP)
                    .build((source, sequence, message) -> release.accept(message));
            return new OrderingProcessor.Stage<Sequenced<T>>() {
                @Override
                public void offer(Sequenced<T> item) {
                    resequencer.offer(item.source(), item.sequence(), item.message());
                }

                @Override
                public int held() {
                    return resequencer.stats().buffered();
                }

                @Override
                public void tick() {
                    resequencer.tick();
                }

                @Override
                public Throwable complete() {
                    int stuck = held();
                    if (stuck == 0) {
                        return null;
                    }
                    String detail =
                            "upstream completed with " + stuck + " messages still waiting for missing sequence numbers";
                    return resequencer
                            .oldestGap()
                            .map(gap -> new SequenceGapException(gap.source(), gap.from(), gap.to(), detail))
                            .orElseGet(() -> new SequenceGapException("upstream", -1, -1, detail));
                }
            };
        });
    }

    /**
     * A processor holding at most {@code capacity} messages (waiting for gaps or for downstream demand).
     */
    public static <T> ResequencingProcessor<T> create(int capacity, GapPolicy gapPolicy) {
        Arguments.atLeast("capacity", capacity, 1);
        Objects.requireNonNull(gapPolicy, "gapPolicy must not be null");
        if (gapPolicy.kind() == GapPolicy.Kind.REQUEST_REDELIVERY) {
            throw new IllegalArgumentException(
                    "gapPolicy must not be REQUEST_REDELIVERY: a processor has no way back upstream");
        }
        if (gapPolicy.kind() == GapPolicy.Kind.NEVER_SKIP) {
            throw new IllegalArgumentException("gapPolicy must not be NEVER_SKIP: a processor has no operator to "
                    + "resume or skip a halted source, and it makes room by skipping (FORCE_GAP)");
        }
        return new ResequencingProcessor<>(capacity, gapPolicy);
    }

    @Override
    public void subscribe(Flow.Subscriber<? super T> subscriber) {
        processor.subscribe(subscriber);
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        processor.onSubscribe(subscription);
    }

    @Override
    public void onNext(Sequenced<T> item) {
        processor.onNext(item);
    }

    @Override
    public void onError(Throwable throwable) {
        processor.onError(throwable);
    }

    @Override
    public void onComplete() {
        processor.onComplete();
    }

    /** Applies gap timeouts; call regularly when the gap policy is timed. */
    public void tick() {
        processor.tick();
    }
}
