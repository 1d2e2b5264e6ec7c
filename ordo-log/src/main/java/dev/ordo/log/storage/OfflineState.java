package dev.ordo.log.storage;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a partition log is still online: the first force of its files that fails takes it offline
 * for good, and every later append, force and read fails with {@link LogOfflineException}, its cause
 * that first error. After a failed {@code fsync} Linux may drop the dirty pages it could not write and
 * report success the next time, so no later force can be trusted (docs/log-format.md, "A failed
 * force"). Thread-safe.
 */
final class OfflineState {

    private static final Logger LOG = LoggerFactory.getLogger(OfflineState.class);

    /** A force of a log's files. */
    interface Force {
        void run() throws IOException;
    }

    private final Path dir;
    /** Runs once, when the log goes offline: stops what would force it again. */
    private final Runnable onOffline;
    /** What was durable when the log went offline, for the log line. */
    private final Supplier<String> durableState;

    private volatile IOException cause;

    OfflineState(Path dir, Runnable onOffline, Supplier<String> durableState) {
        this.dir = dir;
        this.onOffline = onOffline;
        this.durableState = durableState;
    }

    /** Runs a force; if it fails, the log goes offline and {@link LogOfflineException} is thrown. */
    void force(Force force) throws IOException {
        try {
            force.run();
        } catch (ClosedChannelException e) {
            throw e; // closed under the force (the log closing): nothing was lost by the force
        } catch (IOException e) {
            throw goOffline(e);
        }
    }

    /**
     * Takes the log offline after a failed force (the first error is kept and logged); returns the
     * exception to throw. The recovery point and the durable offset stay where the last successful
     * forces left them, so a restart recovers from there.
     */
    synchronized LogOfflineException goOffline(IOException failure) {
        if (cause == null) {
            cause = failure;
            onOffline.run();
            LOG.error(
                    "partition log {} is OFFLINE: forcing it to disk failed; appends, forces and reads now fail. {}"
                            + " may not be on disk. Reopen it (restart the engine) once the disk is fixed",
                    dir,
                    durableState.get(),
                    failure);
        }
        return new LogOfflineException(dir, cause);
    }

    /** The error that took the log offline, if one did. */
    Optional<IOException> cause() {
        return Optional.ofNullable(cause);
    }

    /** Throws {@link LogOfflineException} if the log is offline. Takes no lock. */
    void requireOnline() throws LogOfflineException {
        IOException failure = cause;
        if (failure != null) {
            throw new LogOfflineException(dir, failure);
        }
    }
}
