package dev.ordo.time;

/**
 * A consistent snapshot of an {@link EventTimeReorderer}'s counters.
 *
 * @param released events released in order
 * @param late late events handled by the late policy (dropped, side output or correction)
 * @param droppedTooLate late events beyond the allowed lateness, always dropped
 * @param forcedAdvances watermark advances forced by overflow ({@link dev.ordo.flow.OverflowPolicy#FORCE_GAP})
 * @param refused events not taken for lack of room ({@link dev.ordo.flow.OverflowPolicy#REFUSE})
 * @param buffered events held now
 * @param bufferedBytes their weight
 * @param peakBuffered the most ever held at once
 * @param watermark the current watermark (ms), {@code Long.MIN_VALUE} before any
 * @param boundMillis the out-of-orderness bound in use (ms)
 */
public record EventTimeStats(
        long released,
        long late,
        long droppedTooLate,
        long forcedAdvances,
        long refused,
        int buffered,
        long bufferedBytes,
        int peakBuffered,
        long watermark,
        long boundMillis) {}
