package dev.ordo.log.storage;

/** A policy's forces of one log in the background ({@link FsyncPolicy}), stopped with the log. */
interface ScheduledForces {

    /** No background forces. */
    ScheduledForces NONE = new ScheduledForces() {
        @Override
        public void cancel() {}

        @Override
        public void stop(long waitNanos) {}
    };

    /** Starts no more forces (the log went offline); one under way finishes on its own. */
    void cancel();

    /** Starts no more forces and waits up to {@code waitNanos} for one under way (the log closes). */
    void stop(long waitNanos);
}
