package dev.ordo.exec;

/**
 * A snapshot of a {@link KeyOrderedExecutor}'s counters (each read atomically, not all together).
 *
 * @param submitted tasks accepted
 * @param succeeded tasks that ran without error (possibly after retries)
 * @param retries failed attempts that were tried again
 * @param deadLettered tasks handed to the dead-letter handler
 * @param inFlight tasks accepted and not yet finished
 * @param inFlightBytes declared bytes of those tasks
 * @param peakInFlight the most tasks in flight at once
 * @param activeKeys keys with queued or running work
 */
public record ExecutorStats(
        long submitted,
        long succeeded,
        long retries,
        long deadLettered,
        long inFlight,
        long inFlightBytes,
        long peakInFlight,
        int activeKeys) {}
