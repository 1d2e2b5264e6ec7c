package dev.ordo.engine;

/**
 * What a consumer has done with the records it fetched (each counter read atomically, not all
 * together), named for what happened to them.
 *
 * @param handled records whose handler succeeded (possibly after retries)
 * @param retries failed attempts tried again
 * @param deadLettered records copied to the dead-letter topic after failing every attempt
 * @param skipped records given up on after failing every attempt ({@link OnFailure#SKIP} or an explicit skip)
 * @param parkedKeys keys parked now ({@link OnFailure#PARK_KEY})
 * @param alreadyHandled records not handled again because an earlier owner of their partition had
 *     handled them (known from its commit)
 * @param inFlight records fetched and not yet done (parked ones and those behind them included)
 * @param peakInFlight the most records in flight at once
 * @param heartbeats producer heartbeats read ({@link OrdoHeaders#heartbeat}): never handed to the handler
 */
public record ConsumerStats(
        long handled,
        long retries,
        long deadLettered,
        long skipped,
        int parkedKeys,
        long alreadyHandled,
        long inFlight,
        long peakInFlight,
        long heartbeats) {}
