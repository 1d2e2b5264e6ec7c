package dev.ordo.flow;

import dev.ordo.Arguments;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Any Ordo ordering stage (resequencer, event-time reorderer, causal buffer) as a
 * {@link Flow.Processor}, so that it plugs into Reactive Streams code (Reactor, RxJava, Akka
 * Streams and the JDK's {@code SubmissionPublisher} all speak {@code java.util.concurrent.Flow}).
 *
 * <p>Demand is respected both ways: downstream receives no more than it {@code request}ed, and
 * upstream is asked for at most {@code capacity} items beyond what this processor has passed on,
 * counting those the stage holds back and those released but not yet requested downstream. A
 * downstream that stops requesting therefore stops the upstream within {@code capacity} items,
 * and the stage never holds more than {@code capacity}. When upstream completes, the stage is told
 * ({@link Stage#complete}) and may release what it still holds or report why it cannot.
 *
 * <p>The stage-specific processors are built by {@code ResequencingProcessor.create},
 * {@code EventTimeProcessor.create} and {@code CausalProcessor.create}.
 *
 * @param <I> what upstream sends
 * @param <O> what the stage releases downstream
 */
public final class OrderingProcessor<I, O> implements Flow.Processor<I, O> {

    /**
     * The ordering stage behind a processor. Every call comes under the processor's lock, one at a
     * time; the stage releases items through the {@code release} callback it was created with.
     *
     * @param <I> what it takes
     */
    public interface Stage<I> {
        /** Takes one item (releasing whatever that lets through). */
        void offer(I item);

        /** Items held back, waiting for something that has not arrived yet. */
        int held();

        /** Applies time-based decisions (timeouts, idleness); called by {@link OrderingProcessor#tick()}. */
        void tick();

        /**
         * Upstream has completed: release what can be released and return null, or return the error
         * downstream should get instead of completion (e.g. items still waiting for a gap).
         */
        Throwable complete();
    }

    private final int capacity;
    private final Stage<I> stage;
    private final ArrayDeque<O> ready = new ArrayDeque<>();
    private final AtomicInteger wip = new AtomicInteger();

    private Flow.Subscription upstream;
    private Flow.Subscriber<? super O> downstream;
    private long demand;
    private long outstandingUpstream;
    private boolean upstreamDone;
    private Throwable upstreamError;
    private boolean terminated;

    private OrderingProcessor(int capacity, Function<Consumer<O>, Stage<I>> stageFactory) {
        this.capacity = capacity;
        this.stage = Objects.requireNonNull(stageFactory.apply(ready::add), "stage must not be null");
    }

    /**
     * A processor around the stage {@code stageFactory} builds (given the callback through which the
     * stage releases items), holding at most {@code capacity} items.
     */
    public static <I, O> OrderingProcessor<I, O> create(int capacity, Function<Consumer<O>, Stage<I>> stageFactory) {
        Arguments.atLeast("capacity", capacity, 1);
        Objects.requireNonNull(stageFactory, "stageFactory must not be null");
        return new OrderingProcessor<>(capacity, stageFactory);
    }

    @Override
    public void subscribe(Flow.Subscriber<? super O> subscriber) {
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
                    cancelWith(
                            new IllegalArgumentException("request must be > 0 (Reactive Streams rule 3.9), was " + n));
                    return;
                }
                synchronized (OrderingProcessor.this) {
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
    public void onNext(I item) {
        synchronized (this) {
            outstandingUpstream--;
            stage.offer(item);
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

    /** Applies the stage's time-based decisions; call regularly when it has any (gap timeouts, idleness). */
    public void tick() {
        synchronized (this) {
            stage.tick();
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
            boolean again;
            do {
                again = false;
                emitDemanded();
                Flow.Subscription ask = null;
                long more = 0;
                Flow.Subscriber<? super O> finish = null;
                Throwable error = null;
                synchronized (this) {
                    if (!terminated && downstream != null && upstreamDone && ready.isEmpty()) {
                        Throwable stuck = upstreamError != null ? null : stage.complete();
                        if (ready.isEmpty()) {
                            terminated = true;
                            finish = downstream;
                            error = upstreamError != null ? upstreamError : stuck;
                        } else {
                            again = true; // completing released more: emit it (as demand allows) first
                        }
                    } else if (!terminated && upstream != null && !upstreamDone) {
                        long held = stage.held() + ready.size();
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
            } while (again);
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    private void emitDemanded() {
        while (true) {
            O next;
            Flow.Subscriber<? super O> to;
            synchronized (this) {
                if (terminated || downstream == null || demand == 0 || ready.isEmpty()) {
                    return;
                }
                next = ready.poll();
                demand--;
                to = downstream;
            }
            to.onNext(next);
        }
    }

    private void cancelWith(Throwable error) {
        Flow.Subscription up;
        Flow.Subscriber<? super O> down;
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
        public void request(long n) {}

        @Override
        public void cancel() {}
    }
}
