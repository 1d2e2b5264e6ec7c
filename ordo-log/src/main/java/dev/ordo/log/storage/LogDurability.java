package dev.ordo.log.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a {@link PartitionLog}'s appends reach the disk, and what is known to be there: the forces its
 * {@link FsyncPolicy} starts in the background ({@link ScheduledForces}), switched when the policy
 * changes; the forces of the active segment (of what was appended since its last) and of the segments a
 * roll sealed ({@link SealedSegments}, which move the recovery point); the group commit of every-batch
 * appends and the durable offset it moves ({@link GroupCommit}); and the log going offline at the first
 * force that fails ({@link OfflineState}): nothing is forced any more, and the log line says what may be
 * lost.
 *
 * <p>Locking: the log's monitor (the {@link PartitionLog} instance) guards {@link #dirty} and the
 * segments. Methods documented "monitor held" are called holding it; the others take it only to see
 * what to force, and force outside it, so that appends and reads go on while the disk works. The group
 * commit and the sealed segments order their forces with locks of their own; {@link #scheduledForces}
 * is replaced under the monitor and read without it (when the log goes offline or closes).
 */
final class LogDurability {

    private static final Logger LOG = LoggerFactory.getLogger(LogDurability.class);

    private final PartitionLog log;
    private final Path dir;
    private final LogSegments segments;
    private final LogFlusher flusher;
    /** Sealed segments not yet forced and the recovery point after them. */
    private final SealedSegments sealed;
    /**
     * Online until a force fails (see {@link LogOfflineException}: a later force may succeed
     * without the lost writes).
     */
    private final OfflineState offline;
    /** The durable offset of every-batch appends, and the force they share. */
    private final GroupCommit groupCommit = new GroupCommit();
    /**
     * The fsync policy's background forces; stopped on close, cancelled when the log goes offline or
     * its policy changes.
     */
    private volatile ScheduledForces scheduledForces;
    /** Something was appended to the active segment since its last force (the log's monitor). */
    private boolean dirty;

    /**
     * The durability of {@code log}, in {@code dir}, whose {@code segments} are forced up to {@code
     * recoveryPoint} when it opens; the policy's forces and the sealed segments' run on {@code flusher}.
     */
    LogDurability(
            PartitionLog log, Path dir, LogSegments segments, RecoveryPointFile recoveryPoint, LogFlusher flusher) {
        this.log = log;
        this.dir = dir;
        this.segments = segments;
        this.flusher = flusher;
        this.offline = new OfflineState(dir, this::stopForcing, this::durableState);
        this.sealed = new SealedSegments(log, segments, recoveryPoint, offline);
    }

    /** While the log opens, before it is shared: what an every-batch log holds is forced up to {@code end}. */
    void forceOnOpen(FsyncPolicy policy, long end) throws IOException {
        if (policy.forcesEveryBatch()) {
            // What the last run appended may be in the page cache only (the process died before its
            // force): forced now, as readers of an every-batch log see only what is on disk.
            segments.active().flushLog();
            groupCommit.durableUpTo(end);
        }
    }

    /** Starts {@code policy}'s background forces, once the log is open. */
    void startForces(FsyncPolicy policy) {
        scheduledForces = policy.schedule(log, flusher);
    }

    /**
     * Changes to the fsync policy {@code next} (monitor held): everything written so far, up to {@code end},
     * is forced first, so that no append written under the old policy is acknowledged without the force it
     * promised, and the new policy's forces replace the old one's.
     */
    void switchPolicy(FsyncPolicy next, long end) throws IOException {
        sealed.forceAllLocked();
        if (dirty) {
            offline.force(segments.active()::flushLog);
            dirty = false;
        }
        groupCommit.durableUpTo(end);
        scheduledForces.cancel(); // a force under way finishes on its own
        scheduledForces = next.schedule(log, flusher);
    }

    /** An append wrote to the active segment (monitor held): the next flush forces it. */
    void appended() {
        dirty = true;
    }

    /** Before a roll (monitor held): see {@link SealedSegments#beforeRoll}. */
    void beforeRoll() throws IOException {
        sealed.beforeRoll();
    }

    /** A roll sealed {@code segment} (monitor held): forced later, see {@link #forceSealedLater}. */
    void sealed(LogSegment segment) {
        sealed.add(segment);
    }

    /** Forces the sealed segments on the flusher's sealing thread rather than the appending one. */
    void forceSealedLater() {
        flusher.forceSealedLater(this::forceSealedQuietly);
    }

    /** Retention took {@code segment} out of the log (monitor held): it need not be forced any more. */
    void removed(LogSegment segment) {
        sealed.removed(segment);
    }

    /** Forces the sealed segments not yet forced, oldest first, moving the recovery point past each. */
    void forceSealed() throws IOException {
        sealed.forceAll();
    }

    /** See {@link PartitionLog#durableOffset()}. Takes no lock. */
    long durableOffset() {
        return groupCommit.durableOffset();
    }

    /** See {@link PartitionLog#awaitDurable}. */
    void awaitDurable(long end) throws IOException {
        groupCommit.await(end, this::forceForGroupCommit);
    }

    /** A group commit's force: everything written so far; returns the offset after it. */
    private long forceForGroupCommit() throws IOException {
        // Sealed segments first: an acknowledged batch may lie in one sealed after it was written
        // (only its index is left to force then: its batches were forced as they came).
        sealed.forceAll();
        long target;
        LogSegment segment;
        synchronized (log) {
            log.ensureOpen();
            target = log.nextOffset();
            segment = segments.active();
            dirty = false;
        }
        offline.force(segment::flushLog);
        return target;
    }

    /** Forces performed for every-batch appends (fewer than appends when they are grouped). */
    long forces() {
        return groupCommit.forces();
    }

    /** See {@link PartitionLog#flush()}. */
    void flush() throws IOException {
        sealed.forceAll();
        flushActive();
    }

    /** The background task of a roll: an error is logged (a failed force took the log offline, and said so). */
    private void forceSealedQuietly() {
        try {
            sealed.forceAll();
        } catch (LogOfflineException e) {
            // logged when the log went offline
        } catch (IOException | RuntimeException e) {
            LOG.error("forcing sealed segments of {} failed; the next flush or roll retries", dir, e);
        }
    }

    /** See {@link PartitionLog#recoveryPoint()} (monitor held). */
    long recoveryPoint() {
        return sealed.recoveryPoint();
    }

    /** Forces the active segment's log if anything was appended since the last force. */
    private void flushActive() throws IOException {
        LogSegment segment;
        synchronized (log) {
            if (!dirty || log.isClosed()) {
                return;
            }
            offline.requireOnline();
            segment = segments.active();
            dirty = false; // an append from now on marks the log dirty again for the next flush
        }
        // Forced outside the monitor: appends and reads go on while the disk works. The log file
        // only: the active segment's index is rebuilt on open, and a sealed segment has both forced.
        offline.force(segment::flushLog);
    }

    /**
     * The log closes (monitor held): forces the sealed segments, then the active one, unless a failed force
     * took the log offline (then nothing is forced again, nor the recovery point moved: a force now could
     * "succeed").
     */
    void forceOnClose() throws IOException {
        if (offline.cause().isEmpty()) {
            sealed.forceAllLocked(); // then the active segment
            flushActive();
        }
    }

    /** Starts no more background forces and waits up to {@code waitNanos} for one under way (the log closes). */
    void stopForces(long waitNanos) {
        scheduledForces.stop(waitNanos);
    }

    /** See {@link PartitionLog#offlineCause()}. */
    Optional<IOException> offlineCause() {
        return offline.cause();
    }

    /** Throws {@link LogOfflineException} if a failed force took the log offline. Takes no lock. */
    void requireOnline() throws LogOfflineException {
        offline.requireOnline();
    }

    /** When the log goes offline: nothing is forced any more. */
    private void stopForcing() {
        if (scheduledForces != null) {
            scheduledForces.cancel();
        }
    }

    /** What may be lost, for the line that says the log went offline. */
    private String durableState() {
        return "Records from offset " + sealed.recoveryPoint() + " (every-batch: durable offset "
                + groupCommit.durableOffset() + ")";
    }
}
