package dev.ordo.log.storage;

/**
 * No forces: the operating system writes dirty pages back when it wants (on Linux every 5 s what is
 * older than 30 s, or everything above 10% of memory). A crash of the process loses nothing, a power
 * loss what the kernel had not written yet.
 */
final class NoFsync extends FsyncPolicy {

    static final NoFsync INSTANCE = new NoFsync();
    static final String TEXT = "none";

    private NoFsync() {}

    @Override
    public boolean forcesEveryBatch() {
        return false;
    }

    @Override
    void appended(PartitionLog log, long end) {
        // nothing to wait for
    }

    @Override
    ScheduledForces schedule(PartitionLog log, LogFlusher flusher) {
        return ScheduledForces.NONE;
    }

    @Override
    public String toString() {
        return TEXT;
    }
}
