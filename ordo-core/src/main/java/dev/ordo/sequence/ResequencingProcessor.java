package dev.ordo.sequence;

import dev.ordo.Arguments;
import dev.ordo.flow.OverflowPolicy;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;

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
 * {@link SequenceGapException} instead of a silent completion.
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

    private final int capacity;
    private final Resequencer<String, T> resequencer;
    private final ArrayDeque<T> ready = new ArrayDeque<>();
    private final AtomicInteger wip = new AtomicInteger();

    private Flow.Subscription upstream;
    private Flow.Subscriber<? super T> downstream;
    private long demand;
    private long outstandingUpstream;
    private boolean upstreamDone;
    private Throwable upstreamError;
    private boolean terminated;

    private ResequencingProcessor(int capacity, GapPolicy gapPolicy) {
        this.capacity = capacity;
        this.resequencer = Resequencer.<String, T>builder()
                .maxBuffered(capacity)
                .gapPolicy(gapPolicy)
                // A processor must not block in onNext; an item too far ahead skips the oldest gap.
                .overflowPolicy(OverflowPolicy.FORCE_GAP)
                .build((source, sequence, message) -> ready.add(message));
    }

    /**
     * A processor holding at most {@code capacity} messages (waiting for gaps or for downstream demand).
     */
    public static <T> ResequencingProcessor<T> create(int capacity, GapPolicy gapPolicy) {
        Arguments.atLeast("capacity", capacity, 1);
        if (gapPolicy.kind() == GapPolicy.Kind.REQUEST_REDELIVERY) {
            throw new IllegalArgumentException("gapPolicy must not be REQUEST_REDELIVERY: a processor has no way back upstream");
        }
        return new ResequencingProcessor<>(capacity, Objects.requireNonNull(gapPolicy, "gapPolicy must not be null"));
    }

    @Override
    public void subscribe(Flow.Subscriber<? super T> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber must not be null");
        synchronized (this) {
            if (downstream != null) {
                subscriber.onSubscribe(new NoSubscription());
                subscriber.onError(new IllegalStateException("this processor already has a subscriber"));
                return;
            }
            downstream = subscriber;
        }
        subscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                if (n <= 0) {
                    cancelWith(new IllegalArgumentException("request must be > 0 (Reactive Streams rule 3.9), was " + n));
                    return;
                }
                synchronized (ResequencingProcessor.this) {
                    demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                }
                drain();
            }

            @Override
            public void cancel() {
                cancelWith(null);
            }
        });
        drain();
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        synchronized (this) {
            if (upstream != null) {
                subscription.cancel();
                return;
            }
            upstream = subscription;
        }
        drain();
    }

    @Override
    public void onNext(Sequenced<T> item) {
        synchronized (this) {
            outstandingUpstream--;
            resequencer.offer(item.source(), item.sequence(), item.message());
        }
        drain();
    }

    @Override
    public void onError(Throwable throwable) {
        synchronized (this) {
            upstreamError = throwable;
            upstreamDone = true;
        }
        drain();
    }

    @Override
    public void onComplete() {
        synchronized (this) {
            upstreamDone = true;
        }
        drain();
    }

    /** Applies gap timeouts; call regularly when the gap policy is timed. */
    public void tick() {
        synchronized (this) {
            resequencer.tick();
        }
        drain();
    }

    /**
     * Emits what downstream asked for, asks upstream for what fits, and signals termination; one
     * thread at a time (the work-in-progress counter trampolines re-entrant calls).
     */
    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            while (true) {
                T next;
                Flow.Subscriber<? super T> to;
                synchronized (this) {
                    if (terminated || downstream == null || demand == 0 || ready.isEmpty()) {
                        break;
                    }
                    next = ready.poll();
                    demand--;
                    to = downstream;
                }
                to.onNext(next);
            }
            Flow.Subscription ask = null;
            long more = 0;
            Flow.Subscriber<? super T> finish = null;
            Throwable error = null;
            synchronized (this) {
                if (!terminated && downstream != null && upstreamDone && ready.isEmpty()) {
                    terminated = true;
                    finish = downstream;
                    int stuck = resequencer.stats().buffered();
                    error = upstreamError != null ? upstreamError : stuck > 0
                            ? new SequenceGapException("upstream", -1, -1, "upstream completed with " + stuck
                                    + " messages still waiting for missing sequence numbers")
                            : null;
                } else if (!terminated && upstream != null && !upstreamDone) {
                    long held = resequencer.stats().buffered() + ready.size();
                    more = capacity - held - outstandingUpstream;
                    if (more > 0) {
                        outstandingUpstream += more;
                        ask = upstream;
                    }
                }
            }
            if (ask != null) {
                ask.request(more);
            }
            if (finish != null) {
                if (error != null) {
                    finish.onError(error);
                } else {
                    finish.onComplete();
                }
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    private void cancelWith(Throwable error) {
        Flow.Subscription up;
        Flow.Subscriber<? super T> down;
        synchronized (this) {
            if (terminated) {
                return;
            }
            terminated = true;
            up = upstream;
            down = downstream;
        }
        if (up != null) {
            up.cancel();
        }
        if (error != null && down != null) {
            down.onError(error);
        }
    }

    /** Handed to a second subscriber before telling it no. */
    private static final class NoSubscription implements Flow.Subscription {
        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
        }
    }
}
