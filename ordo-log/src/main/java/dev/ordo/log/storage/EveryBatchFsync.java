package dev.ordo.log.storage;

import java.io.IOException;

/**
 * Every append returns only once its batch is on disk; appenders arriving while a force is under way
 * share the next one (group commit, {@link PartitionLog#awaitDurable}). Readers see only what is
 * forced. An acknowledged record survives a power loss.
 */
final class EveryBatchFsync extends FsyncPolicy {

    static final EveryBatchFsync INSTANCE = new EveryBatchFsync();
    static final String TEXT = "every-batch";

    private EveryBatchFsync() {}

    @Override
    public boolean forcesEveryBatch() {
        return true;
    }

    @Override
    void appended(PartitionLog log, long end) throws IOException {
        log.awaitDurable(end);
    }

    @Override
    ScheduledForces schedule(PartitionLog log, LogFlusher flusher) {
        return ScheduledForces.NONE; // the appends force
    }

    @Override
    public String toString() {
        return TEXT;
    }
}
