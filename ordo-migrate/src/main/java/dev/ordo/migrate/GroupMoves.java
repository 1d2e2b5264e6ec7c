package dev.ordo.migrate;

import dev.ordo.engine.RecordConsumer;
import dev.ordo.log.storage.Record;
import java.io.IOException;
import java.time.Duration;
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
 */
final class GroupMoves {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int READ_BYTES = 1 << 20;
    /** How often {@link #closeDrained} looks again while a rebalance leaves a partition without owner. */
    private static final long REBALANCE_LOOK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final MigrationTarget target;

    /** Moves into {@code target} (not closed here). */
    GroupMoves(MigrationTarget target) {
        this.target = target;
    }

    /**
     * Commits on the target where {@code group}, which committed {@code committed} in the source, goes on.
     *
     * @return the offsets committed per target partition, empty if the group had offsets there already
     */
    Map<Integer, Long> move(String group, Map<Integer, Long> committed, MigrationState switched) throws IOException {
        if (!target.committedOffsets(group).isEmpty()) {
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
