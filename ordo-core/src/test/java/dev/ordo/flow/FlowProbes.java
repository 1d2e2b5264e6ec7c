package dev.ordo.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

/** Hand-driven ends of a {@link Flow} pipeline for processor tests. */
public final class FlowProbes {

    private FlowProbes() {}

    /** An upstream the test drives by hand, recording how much was requested. */
    public static final class ManualUpstream implements Flow.Subscription {
        public final AtomicLong requested = new AtomicLong();
        public boolean cancelled;

        @Override
        public void request(long n) {
            requested.addAndGet(n);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    /** A downstream that requests only when told to. */
    public static final class ManualDownstream<T> implements Flow.Subscriber<T> {
        public final List<T> received = new ArrayList<>();
        public Flow.Subscription subscription;
        public Throwable error;
        public boolean completed;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
        }

        @Override
        public void onNext(T item) {
            received.add(item);
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onComplete() {
            completed = true;
        }
    }
}
