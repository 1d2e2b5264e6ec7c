package dev.ordo.migrate;

import dev.ordo.engine.CommittedState;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.log.storage.Record;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Moves a consumer group's committed offsets from the source topic to the target, after the switch. A
 * group that handled every record up to the fence starts at the target's fence, exactly. A group behind
 * it starts, in each target partition, at the first copied record it had not handled (found by the
 * {@value Copier#FROM_HEADER} header): nothing it had not handled is skipped, and records it had handled
 * that the copy placed after that one come again (at least once, as after any rebalance). A group that
 * already has offsets for the target is left alone: it moved before, or consumes there already.
 *
 * <p>A group whose consumer commits its offsets with an application state ({@link CommittedState}) moves
 * with the state: once it has handled the source to the fence, the state is committed again with the
 * target's fence as its offsets ({@link #moveState}). Its value is not touched: whatever the application
 * keeps in it (balances, a {@code Resequencer} checkpoint of producer sequences, which the copy keeps in
 * the records' headers) goes on as it was.
 */
final class GroupMoves {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int READ_BYTES = 1 << 20;
    /** How often {@link #closeDrained} looks again while a rebalance leaves a partition without owner. */
    private static final long REBALANCE_LOOK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final MigrationSource source;
    private final MigrationTarget target;

    /** Moves from {@code source} into {@code target} (neither closed here). */
    GroupMoves(MigrationSource source, MigrationTarget target) {
        this.source = source;
        this.target = target;
    }

    /**
     * Asks the target for the offsets of {@code groups} and drops the answer: the first such question can be
     * slow (Kafka finds the group's coordinator, and makes its offsets topic if no group ever committed), and
     * the switch asks it before anyone waits for a hand-over.
     */
    void prepare(Set<String> groups) throws IOException {
        for (String group : groups) {
            target.committedOffsets(group);
        }
    }

    /**
     * Commits on the target where {@code group}, which committed {@code committed} in the source, goes on.
     *
     * @param replace whether offsets the group has on the target are replaced (committed ahead by a hand-over
     *     that did not end) rather than kept
     * @return the offsets committed per target partition, empty if the group had offsets there already
     */
    Map<Integer, Long> move(String group, Map<Integer, Long> committed, MigrationState switched, boolean replace)
            throws IOException {
        if (!replace && !target.committedOffsets(group).isEmpty()) {
            return Map.of();
        }
        Map<Integer, Long> positions = drained(committed, switched.sourceEnds())
                ? fence(switched.targetEnds())
                : firstUnhandled(committed, switched.targetEnds());
        target.commitOffsets(group, positions);
        return positions;
    }

    /**
     * Waits until the running {@code members} of {@code group} own every one of the source's {@code partitions}
     * between them and have handled each to its end (the sealed source's end is the fence), then closes them,
     * which commits. Owning every partition matters: while a rebalance moves one, no member reports it.
     *
     * @throws IllegalStateException if that did not happen within {@code timeout}; the members are left running
     */
    static void closeDrained(
            String group, List<? extends RecordConsumer> members, int partitions, Duration timeout, String source)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Set<Integer> unowned = new TreeSet<>();
            for (int p = 0; p < partitions && !members.isEmpty(); p++) {
                unowned.add(p);
            }
            for (RecordConsumer member : members) {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!member.awaitCaughtUp(Duration.ofNanos(left))) {
                    throw new IllegalStateException("a member of group '" + group + "' did not handle " + source
                            + " to its end within " + timeout + " (lag " + member.lag() + ", parked "
                            + member.parked() + "); the group stays there");
                }
                unowned.removeAll(member.assignment());
            }
            if (unowned.isEmpty()) {
                break;
            }
            if (System.nanoTime() >= deadline) {
                throw new IllegalStateException("partitions " + unowned + " of " + source + " were owned by none of"
                        + " the " + members.size() + " members of group '" + group + "' given within " + timeout
                        + " (a rebalance under way, or a member not given); the group stays there");
            }
            LockSupport.parkNanos(REBALANCE_LOOK_NANOS);
        }
        for (RecordConsumer member : members) {
            member.close();
        }
    }

    /**
     * Commits {@code state}, which holds the effects of group {@code group}'s records of the source, again
     * with the target's fence as its offsets, so that a consumer with it goes on at the fence on the
     * target. A state already there (a move cut short after its commit) is left as it is.
     *
     * @throws IllegalStateException if the state has not seen every record of the source up to the fence
     */
    void moveState(String group, CommittedState state, MigrationState switched) throws IOException {
        Map<Integer, Long> positions = state.restore();
        Map<Integer, Long> fence = fence(switched.targetEnds());
        if (positions.equals(fence)) {
            return; // committed by a move cut short before it was recorded
        }
        if (!handledToEnd(positions, switched.sourceEnds())) {
            throw new IllegalStateException("the state of group '" + group + "' holds offsets " + positions
                    + ", short of the fence " + Arrays.toString(switched.sourceEnds()) + " of " + source.describe()
                    + ": run its consumer there to the end (the source takes no more records), then move it");
        }
        state.commit(fence);
    }

    /**
     * Whether a group at {@code positions} has handled every record of the source below {@code ends}: a
     * position short of its end only by offsets that hold no record (a Kafka transaction's markers) counts.
     */
    boolean handledToEnd(Map<Integer, Long> positions, long[] ends) throws IOException {
        for (int p = 0; p < ends.length; p++) {
            long position = Math.max(positions.getOrDefault(p, 0L), source.startOffset(p));
            if (position >= ends[p]) {
                continue;
            }
            MigrationSource.Batch batch = source.read(p, position, READ_BYTES);
            boolean recordLeft = batch.records().isEmpty()
                    ? batch.next() < ends[p]
                    : batch.records().get(0).offset() < ends[p];
            if (recordLeft) {
                return false;
            }
        }
        return true;
    }

    /** Whether the group handled every record below the source's final ends. */
    static boolean drained(Map<Integer, Long> committed, long[] sourceEnds) {
        for (int p = 0; p < sourceEnds.length; p++) {
            if (committed.getOrDefault(p, 0L) < sourceEnds[p]) {
                return false;
            }
        }
        return true;
    }

    /** Each target partition's offset at the fence. */
    static Map<Integer, Long> fence(long[] targetEnds) {
        Map<Integer, Long> positions = new HashMap<>();
        for (int q = 0; q < targetEnds.length; q++) {
            positions.put(q, targetEnds[q]);
        }
        return positions;
    }

    /** Per target partition, the first copied record the group had not handled (the fence if none). */
    private Map<Integer, Long> firstUnhandled(Map<Integer, Long> committed, long[] targetEnds) throws IOException {
        Map<Integer, Long> positions = new HashMap<>();
        try (MigrationSource reader = target.reader()) {
            for (int q = 0; q < targetEnds.length; q++) {
                positions.put(q, scan(reader, q, committed, targetEnds[q]));
            }
        }
        return positions;
    }

    private long scan(MigrationSource reader, int q, Map<Integer, Long> committed, long end) throws IOException {
        long position = reader.startOffset(q);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (position < end) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read partition " + q + " of " + target.describe()
                        + " up to the fence " + end + " within " + TIMEOUT.toSeconds() + " s");
            }
            MigrationSource.Batch batch = reader.read(q, position, READ_BYTES);
            for (Record r : batch.records()) {
                if (r.offset() >= end) {
                    return end;
                }
                long[] source = Copier.source(r);
                if (source == null || source[1] >= committed.getOrDefault((int) source[0], 0L)) {
                    return r.offset();
                }
            }
            position = Math.max(position, batch.next());
        }
        return end;
    }
}
