package dev.ordo.time;

/**
 * An event released by an {@link EventTimeReorderer}.
 *
 * @param source where it came from
 * @param sequence its position within its source (breaks ties between equal timestamps)
 * @param timestamp its event time, in milliseconds
 * @param payload the event
 * @param correction true if it arrived late and is released out of order under
 *        {@link LatePolicy#CORRECTION}
 */
public record TimedEvent<S, T>(S source, long sequence, long timestamp, T payload, boolean correction) {}
