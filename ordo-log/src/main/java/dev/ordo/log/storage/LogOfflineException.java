package dev.ordo.log.storage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A partition log is offline: forcing its files to disk failed once, so nothing written since its
 * last successful force is known to be on disk, and no later force can say otherwise. On Linux a
 * failed {@code fsync} may drop the dirty pages it could not write and report success the next time
 * ("fsyncgate"); retrying would acknowledge records a power loss takes back. Every later append,
 * force and read of the partition throws this exception, its cause the first error; reopening the
 * log (restarting the engine) recovers it from disk, from its recovery point on. Kafka likewise takes
 * a log directory offline on an I/O error, and PostgreSQL stops on a failed fsync.
 */
public class LogOfflineException extends IOException {

    private final Path partition;

    public LogOfflineException(Path partition, IOException cause) {
        super(
                "partition log " + partition + " is offline: forcing it to disk failed (" + cause
                        + "); what was written since its last successful force may not be on disk."
                        + " Fix the disk, then reopen the log (restart the engine): recovery rebuilds it from disk",
                cause);
        this.partition = partition;
    }

    /** The directory of the partition that went offline. */
    public Path partition() {
        return partition;
    }
}
