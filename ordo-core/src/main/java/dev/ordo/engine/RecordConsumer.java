package dev.ordo.engine;

import dev.ordo.exec.ExecutorStats;

/** A running consumer of either engine, as {@link ConsumerBuilder#start()} returns it. */
public interface RecordConsumer extends AutoCloseable {

    /** The handler stage's counters (in flight, peak, succeeded, retried, dead-lettered). */
    ExecutorStats handlerStats();

    /** Stops fetching, lets the records in flight finish, commits and leaves the group. */
    @Override
    void close() throws Exception;
}
