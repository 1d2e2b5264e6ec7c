package dev.ordo.log.storage;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;

/**
 * A partition's segments sealed by a roll and not yet forced, and the recovery point that follows
 * them: a roll leaves the sealed segment to the {@link LogFlusher} (forcing it on the appending thread
 * stalled every partition that thread writes), which forces them oldest first, outside the log's
 * monitor so that appends and reads go on, and moves the recovery point past each; flushes and close
 * force them too. The queue and the recovery point are guarded by the log's monitor.
 */
final class SealedSegments {

    private final PartitionLog log;
    /** The log's segments, the last one active (the log's monitor). */
    private final LogSegments segments;

    private final RecoveryPointFile recoveryPoint;
    /** Where a failed force takes the log offline. */
    private final OfflineState offline;
    /** Sealed segments not yet forced, oldest first (the log's monitor). */
    private final ArrayDeque<LogSegment> unforced = new ArrayDeque<>();
    /** Held while forcing, so that segments are forced in order and the recovery point follows. */
    private final Object forcing = new Object();

    SealedSegments(PartitionLog log, LogSegments segments, RecoveryPointFile recoveryPoint, OfflineState offline) {
        this.log = log;
        this.segments = segments;
        this.recoveryPoint = recoveryPoint;
        this.offline = offline;
    }

    /** Every offset below it is on disk (the log's monitor). */
    long recoveryPoint() {
        return recoveryPoint.offset();
    }

    /**
     * Before a roll (the log's monitor held): stores the recovery point before the first segment that
     * may be sealed unforced exists, as from then on a missing file would wrongly mean "every sealed
     * segment is forced" (one write per log, once).
     */
    void beforeRoll() throws IOException {
        if (!recoveryPoint.stored()) {
            recoveryPoint.store(recoveryPoint.offset());
        }
    }

    /** Takes a segment a roll sealed, to be forced later (the log's monitor held). */
    void add(LogSegment sealed) {
        unforced.addLast(sealed);
    }

    /**
     * A segment retention removed: its data no longer matters, the recovery point may pass it (the
     * log's monitor held).
     */
    void removed(LogSegment segment) {
        unforced.remove(segment);
    }

    /**
     * Forces the segments not yet forced, oldest first, each outside the log's monitor, moving the
     * recovery point past each. Returns at once if the log is closed.
     */
    void forceAll() throws IOException {
        synchronized (forcing) {
            while (true) {
                offline.requireOnline();
                LogSegment next;
                synchronized (log) {
                    next = log.isClosed() ? null : unforced.peekFirst();
                }
                if (next == null) {
                    return;
                }
                try {
                    next.flush();
                } catch (ClosedChannelException e) {
                    synchronized (log) {
                        if (!log.isClosed() && unforced.contains(next)) {
                            throw e;
                        }
                    }
                    continue; // deleted by retention (or the log closed, which forced it) meanwhile
                } catch (IOException e) {
                    throw offline.goOffline(e);
                }
                synchronized (log) {
                    unforced.remove(next);
                    if (!log.isClosed()) {
                        advance();
                    }
                }
            }
        }
    }

    /**
     * Forces every segment not yet forced under the log's monitor (held: the log closes or changes its
     * fsync policy; a background force of the same segment may run at the same time, which is harmless)
     * and moves the recovery point to the active segment.
     */
    void forceAllLocked() throws IOException {
        for (LogSegment sealed : unforced) {
            offline.force(sealed::flush);
        }
        unforced.clear();
        advance();
    }

    /**
     * Moves the recovery point to the oldest segment not known forced, storing it if it moved (the
     * log's monitor held).
     */
    private void advance() throws IOException {
        long point = unforced.isEmpty() ? segments.active().baseOffset : unforced.peekFirst().baseOffset;
        recoveryPoint.advance(point, segments.count() > 1);
    }
}
