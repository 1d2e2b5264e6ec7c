package dev.ordo.time;

/**
 * What an {@link EventTimeReorderer} does with a late event: one whose timestamp is at or below
 * the watermark when it arrives, so it can no longer be released in order.
 */
public enum LatePolicy {
    /** Drop it and count it. */
    DROP,
    /** Hand it to the separate late sink (a side output, as in Flink), not the main one. */
    SIDE_OUTPUT,
    /** Release it on the main sink at once, flagged {@link TimedEvent#correction()}, so consumers can amend. */
    CORRECTION
}
