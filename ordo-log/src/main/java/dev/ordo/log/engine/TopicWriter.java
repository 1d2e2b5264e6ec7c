package dev.ordo.log.engine;

import dev.ordo.partition.TopicLayout;

/**
 * A producer of a topic, as {@link EmbeddedLog#alterPartitions} sees it: it places records by the
 * topic's partition count, so a change of the count first pauses it (no record is placed meanwhile) and
 * waits until what it placed by the old count is appended. Public only for Ordo's own producer (see
 * {@link ClientAccess}); not an API.
 */
public interface TopicWriter {

    /**
     * Stops placing records (sends wait, at most their {@code maxBlock}) and waits until every record
     * placed so far is appended or failed.
     *
     * @return false if that took longer than {@code deadlineNanos} ({@link System#nanoTime()})
     */
    boolean pause(long deadlineNanos) throws InterruptedException;

    /** Places records by {@code layout} from now on (the old one if the change failed); waiting sends go on. */
    void resume(TopicLayout layout);

    /** Whether it places keys by the topic's placement (not by a partitioner of its own). */
    boolean placesByTopic();
}
