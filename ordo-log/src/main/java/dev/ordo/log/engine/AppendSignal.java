package dev.ordo.log.engine;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Wakes the readers of one topic that wait for new records, so that a consumer sees a record as
 * soon as it is appended rather than at its next poll. Cheap for writers: one volatile read per
 * waiting reader, and a wake-up only for a reader that is actually parked. Writers that append in
 * bursts (the producer's sender thread) signal once per burst, not per batch.
 *
 * <p>No wake-up is lost: a reader announces that it parks before it checks for records one last
 * time, and a writer publishes its records before it looks for parked readers; both are volatile,
 * so at least one of them sees the other. Readers still wake after their poll interval anyway.
 *
 * <p>Public only for Ordo's own producer and consumer (see {@link ClientAccess}); not an API.
 */
public final class AppendSignal {

    private final CopyOnWriteArrayList<Waiter> waiters = new CopyOnWriteArrayList<>();

    /** One reading thread's registration; {@link #close()} removes it. */
    public final class Waiter implements AutoCloseable {
        private final Thread thread = Thread.currentThread();
        private volatile boolean parked;

        /**
         * Parks the registering thread for up to {@code nanos} unless {@code news} (checked after the
         * announcement) says records arrived meanwhile; returns early when a writer signals.
         */
        public void await(long nanos, BooleanSupplier news) {
            parked = true;
            try {
                if (!news.getAsBoolean()) {
                    LockSupport.parkNanos(this, nanos);
                }
            } finally {
                parked = false;
            }
        }

        @Override
        public void close() {
            waiters.remove(this);
        }
    }

    /** Registers the calling thread as a reader that may wait. */
    Waiter register() {
        Waiter waiter = new Waiter();
        waiters.add(waiter);
        return waiter;
    }

    /** Registered readers (for tests and metrics). */
    int waiting() {
        return waiters.size();
    }

    /** Wakes every parked reader (call after the appended records are readable). */
    void signal() {
        for (Waiter w : waiters) {
            if (w.parked) {
                w.parked = false;
                LockSupport.unpark(w.thread);
            }
        }
    }
}
