package dev.ordo.log.storage;

import dev.ordo.Arguments;
import java.time.Duration;

/**
 * When appended bytes are forced to the disk, per topic.
 *
 * <ul>
 *   <li>{@link #everyBatch()}: before an append returns; an acknowledged record survives power loss.</li>
 *   <li>{@link #interval(Duration)}: at most this long after the append; a crash of the process
 *       loses nothing (the page cache survives), a power loss loses at most the interval.</li>
 *   <li>{@link #none()}: left to the operating system.</li>
 * </ul>
 */
public sealed interface FsyncPolicy {

    static FsyncPolicy everyBatch() {
        return EveryBatch.INSTANCE;
    }

    static FsyncPolicy interval(Duration interval) {
        return new Interval(interval);
    }

    static FsyncPolicy none() {
        return None.INSTANCE;
    }

    /** See {@link FsyncPolicy#everyBatch()}. */
    enum EveryBatch implements FsyncPolicy {
        INSTANCE
    }

    /** See {@link FsyncPolicy#none()}. */
    enum None implements FsyncPolicy {
        INSTANCE
    }

    /** See {@link FsyncPolicy#interval(Duration)}. */
    record Interval(Duration interval) implements FsyncPolicy {
        public Interval {
            Arguments.positive("fsync interval", interval);
        }
    }
}
