package dev.ordo.migrate;

import dev.ordo.engine.CommittedState;
import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.RecordConsumer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A running consumer group's move to the target after the switch, with as short a wait as the group's keys
 * can have: the group's members on the target are started {@linkplain ConsumerBuilder#paused() paused}
 * while the old ones still handle the source's tail, so that joining the target's group and fetching its
 * first records happen meanwhile; once the old members have handled the source to the fence and closed,
 * the new ones resume. No record sent after the switch is handled before the old tail has been.
 *
 * <p>Starting them early needs their offsets on the target first: the fence, committed ahead. Should the
 * old members not reach the fence, the new ones are closed having handled nothing (a paused consumer
 * commits nothing). Offsets at the fence on the target while the group's offsets on the source are short
 * of it can only be such offsets committed ahead (a group resumes on the target only once it reached the
 * fence on the source): a later hand-over or {@link TopicMigration#moveGroups} replaces them. The same
 * holds after a crash anywhere in between, with nothing more to record.
 *
 * <p>A Kafka topic re-partitioned on its own cluster keeps one group for both topics: members started on
 * the target early would join the old members' group. There the old members close first, as a rebalance
 * would hand their partitions over.
 */
final class GroupHandOver {

    private final MigrationSource source;
    private final MigrationTarget target;
    private final GroupMoves moves;
    private final Copier copier;
    /** Whether source and target share their consumer groups; null until asked. */
    private Boolean sharedGroups;

    GroupHandOver(MigrationSource source, MigrationTarget target, GroupMoves moves, Copier copier) {
        this.source = source;
        this.target = target;
        this.moves = moves;
        this.copier = copier;
    }

    /** See {@link TopicMigration#handOver(String, List, Supplier, Duration)}. */
    List<RecordConsumer> offsets(
            String group,
            List<? extends RecordConsumer> members,
            Supplier<? extends ConsumerBuilder<?, ?, ?>> onTarget,
            Duration timeout)
            throws IOException, InterruptedException {
        MigrationState state = copier.state();
        Map<Integer, Long> onTargetNow = target.committedOffsets(group);
        boolean begun = committedAhead(group, onTargetNow, state);
        if (members.isEmpty() || sharedGroups() || (!begun && !onTargetNow.isEmpty())) {
            // Not running, moved before, or one group on both sides (a Kafka topic re-partitioned on its
            // cluster: members started early would join the old members' group): no one starts early.
            GroupMoves.closeDrained(group, members, state.sourceEnds().length, timeout, source.describe());
            requireDrained(group, state);
            move(group);
            return start(onTarget, members.size(), false);
        }
        if (!begun) {
            target.commitOffsets(group, GroupMoves.fence(state.targetEnds()));
        }
        List<RecordConsumer> started = start(onTarget, members.size(), true);
        try {
            GroupMoves.closeDrained(group, members, state.sourceEnds().length, timeout, source.describe());
            requireDrained(group, state);
        } catch (InterruptedException | RuntimeException e) {
            started.forEach(RecordConsumer::close); // paused all along: they handled and committed nothing
            throw e;
        }
        started.forEach(RecordConsumer::resume);
        return started;
    }

    /**
     * Moves {@code group} as {@link TopicMigration#moveGroups} does, replacing offsets committed ahead by a
     * hand-over that did not end.
     *
     * @return the offsets committed on the target, empty if the group's were there already
     */
    Map<Integer, Long> move(String group) throws IOException {
        MigrationState state = copier.state();
        Map<Integer, Long> committed = source.committedOffsets().getOrDefault(group, Map.of());
        boolean ahead = committedAhead(group, target.committedOffsets(group), state);
        return moves.move(group, committed, state, ahead);
    }

    /**
     * Whether {@code onTarget}, the group's offsets on the target, were committed ahead by a hand-over that
     * did not end: the fence exactly, while the group's offsets on the source are short of it.
     */
    private boolean committedAhead(String group, Map<Integer, Long> onTarget, MigrationState state) throws IOException {
        if (onTarget.isEmpty() || !onTarget.equals(GroupMoves.fence(state.targetEnds()))) {
            return false;
        }
        Map<Integer, Long> committed = source.committedOffsets().getOrDefault(group, Map.of());
        return !moves.handledToEnd(committed, state.sourceEnds());
    }

    /** See {@link TopicMigration#handOver(String, List, CommittedState, Supplier, Duration)}. */
    RecordConsumer state(
            String group,
            List<? extends RecordConsumer> members,
            CommittedState state,
            Supplier<? extends ConsumerBuilder<?, ?, ?>> onTarget,
            Duration timeout)
            throws IOException, InterruptedException {
        Objects.requireNonNull(state, "state must not be null");
        synchronized (copier) { // one record of the migration's state at a time
            MigrationState switched = copier.state();
            if (switched.movedStates().contains(group)) {
                if (!members.isEmpty()) {
                    throw new IllegalStateException("the state of group '" + group + "' moved to " + target.describe()
                            + " already; its members on " + source.describe() + " must stop");
                }
            } else {
                GroupMoves.closeDrained(group, members, switched.sourceEnds().length, timeout, source.describe());
                moves.moveState(group, state, switched);
                copier.record(switched.stateMoved(group));
            }
        }
        return onTarget.get().start();
    }

    /** Fails unless {@code group}'s offsets on the source show every record up to the fence handled. */
    private void requireDrained(String group, MigrationState state) throws IOException {
        Map<Integer, Long> committed = source.committedOffsets().getOrDefault(group, Map.of());
        if (!moves.handledToEnd(committed, state.sourceEnds())) {
            throw new IllegalStateException("group '" + group + "' committed " + committed + " on closing, short of"
                    + " the fence " + Arrays.toString(state.sourceEnds()) + "; start it again on " + source.describe());
        }
    }

    /** Whether source and target share their consumer groups (asked once). */
    private synchronized boolean sharedGroups() {
        if (sharedGroups == null) {
            sharedGroups = source.groupHome().equals(target.groupHome());
        }
        return sharedGroups;
    }

    private static List<RecordConsumer> start(
            Supplier<? extends ConsumerBuilder<?, ?, ?>> onTarget, int count, boolean paused) {
        List<RecordConsumer> started = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                ConsumerBuilder<?, ?, ?> builder = onTarget.get();
                started.add(paused ? builder.paused().start() : builder.start());
            }
        } catch (RuntimeException e) {
            started.forEach(RecordConsumer::close);
            throw e;
        }
        return started;
    }
}
