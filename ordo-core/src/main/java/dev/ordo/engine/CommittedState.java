package dev.ordo.engine;

import java.io.IOException;
import java.util.Map;

/**
 * Application state that a consumer commits together with its offsets, in one atomic step: the
 * exactly-once configuration, on either engine ({@code committedState(state)} on the embedded engine's
 * {@code OrdoConsumer} or on {@code KafkaOrdoConsumer}). The consumer then ignores the group's committed
 * offsets, starts from the offsets {@link #restore} returns, and at every commit waits until no handler is
 * running and calls {@link #commit} with the offsets that exactly match the state: every record before
 * them is in it, none after. One consumer owns a state: it reads every partition of the topic.
 *
 * <p>After a crash the state and the offsets come back from the same commit, so the records handled
 * after it are handled again on a state that has not seen them: each record's effect on the state
 * is applied exactly once. Effects outside the state (an e-mail, a call to another service) are not
 * rolled back and stay at-least-once.
 *
 * <p>A parked key (a record that failed every attempt, {@code OnFailure.PARK_KEY}) stops the whole consumer
 * at its next commit, not just the key: until it is resumed or skipped no offsets match the state. The
 * consumer says so (a WARN naming the key, {@code ordo.consumer.stalled.seconds}); a close then commits
 * nothing, and a restart goes on from the last commit.
 *
 * <p>The offsets are positions in one topic of one engine: a migration to another engine translates them
 * ({@code TopicMigration.handOver} with the state). {@code JsonSnapshotState} (ordo-log) keeps a
 * Jackson-serializable object in one file.
 */
public interface CommittedState {

    /**
     * Restores the state from its last commit and returns the offsets committed with it
     * (partition -> next offset to read); empty when nothing was ever committed.
     */
    Map<Integer, Long> restore() throws IOException;

    /**
     * Durably and atomically stores the current state with {@code nextOffsets} (partition -> next
     * offset to read, for every partition). Called while no handler runs.
     */
    void commit(Map<Integer, Long> nextOffsets) throws IOException;
}
