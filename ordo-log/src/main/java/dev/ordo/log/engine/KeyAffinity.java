package dev.ordo.log.engine;

import dev.ordo.partition.Partitioner;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Which member of a group each key belongs to (the owner of the partition the topic's current layout
 * places it on), followed through a fixed sample of {@value #SAMPLE} keys: their hashes spread as
 * real keys' do, so shares of the sample are shares of the key space within about 1.5 points.
 *
 * <p>It serves two ends. A partition a change of the partition count adds goes, where the assignment
 * allows, to the member that held most of the keys it now takes (with Kafka's placement a doubled
 * topic's partition {@code p + n} takes exactly partition {@code p}'s keys, so they keep their
 * member). And after every reassignment it reports the share of keys whose member changed. Guarded
 * by the group's monitor.
 */
final class KeyAffinity {

    /** How many keys stand for the key space. */
    static final int SAMPLE = 4096;

    private static final byte[][] KEYS = new byte[SAMPLE][];

    static {
        for (int k = 0; k < SAMPLE; k++) {
            KEYS[k] = ("key-" + k).getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Each sample key's partition under the topic's current layout (null once the topic is deleted). */
    private final Supplier<int[]> placement;
    /** Each sample key's member after the last reassignment; -1: none (null before the first). */
    private long[] members;

    private volatile double moved;

    /** Follows keys placed as {@code placement} says (see {@link #place}). */
    KeyAffinity(Supplier<int[]> placement) {
        this.placement = placement;
    }

    /** Where each topic of {@code topics} places the sample keys under its current layout (null: no such topic). */
    static Function<String, int[]> placedBy(Map<String, Topic> topics) {
        return name -> {
            Topic topic = topics.get(name);
            return topic == null
                    ? null
                    : place(topic.partitioner(), topic.layout().partitions());
        };
    }

    /** Each sample key's partition when {@code partitioner} places keys on {@code partitions} partitions. */
    static int[] place(Partitioner partitioner, int partitions) {
        int[] placed = new int[SAMPLE];
        for (int k = 0; k < SAMPLE; k++) {
            placed[k] = partitioner.partition(KEYS[k], partitions);
        }
        return placed;
    }

    /**
     * The owners to keep, for a sticky assignment: each partition's owner, and for one without an owner
     * the member that held most of the keys the current layout places on it (null if none did).
     */
    Long[] stickTo(Long[] owners) {
        Long[] hints = owners.clone();
        int[] now = placement.get();
        if (members == null || now == null) {
            return hints;
        }
        Map<Integer, Map<Long, Integer>> votes = new HashMap<>();
        for (int k = 0; k < SAMPLE; k++) {
            int p = now[k];
            if (p < hints.length && hints[p] == null && members[k] >= 0) {
                votes.computeIfAbsent(p, q -> new HashMap<>()).merge(members[k], 1, Integer::sum);
            }
        }
        votes.forEach((p, byMember) -> hints[p] = byMember.entrySet().stream()
                .max(Map.Entry.<Long, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .orElseThrow()
                .getKey());
        return hints;
    }

    /**
     * The group's partitions were assigned anew ({@code targets}, or the layout changed under the same
     * targets): notes each key's member and the share of keys, among those that had one, whose member
     * changed.
     */
    void reassigned(Map<Long, Set<Integer>> targets, int partitions) {
        int[] now = placement.get();
        if (now == null) {
            return;
        }
        long[] ownerOf = new long[partitions];
        Arrays.fill(ownerOf, -1);
        targets.forEach((member, owned) -> owned.forEach(p -> {
            if (p < partitions) {
                ownerOf[p] = member;
            }
        }));
        long[] next = new long[SAMPLE];
        int had = 0;
        int changed = 0;
        for (int k = 0; k < SAMPLE; k++) {
            next[k] = now[k] < partitions ? ownerOf[now[k]] : -1;
            if (members != null && members[k] >= 0) {
                had++;
                if (next[k] != members[k]) {
                    changed++;
                }
            }
        }
        if (had > 0) {
            moved = (double) changed / had;
        }
        members = next;
    }

    /** The share of keys whose member changed at the group's last reassignment (0 before any change). */
    double moved() {
        return moved;
    }
}
