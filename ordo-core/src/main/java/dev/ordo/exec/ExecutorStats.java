package dev.ordo.exec;

/**
 * A snapshot of a {@link KeyOrderedExecutor}'s counters (each read atomically, not all together).
 *
 * @param submitted tasks accepted
 * @param succeeded tasks that ran without error (possibly after retries)
 * @param retries failed attempts that were tried again
 * @param deadLettered tasks handed to a dead-letter handler that accepted them
 * @param skipped tasks given up on after failing every attempt (by the failure policy or an explicit skip)
 * @param parkings times a key was parked at a task that failed every attempt
 * @param parkedKeys keys parked now
 * @param inFlight tasks accepted and not yet finished (parked ones and those behind them included)
 * @param inFlightBytes declared bytes of those tasks
 * @param peakInFlight the most tasks in flight at once
 * @param activeKeys keys with queued, running or parked work
 */
public record ExecutorStats(
        long submitted,
        long succeeded,
        long retries,
        long deadLettered,
        long skipped,
        long parkings,
        int parkedKeys,
        long inFlight,
        long inFlightBytes,
        long peakInFlight,
        int activeKeys) {}
