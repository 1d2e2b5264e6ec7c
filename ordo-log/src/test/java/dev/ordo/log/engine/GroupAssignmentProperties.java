package dev.ordo.log.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The group assignment is balanced, complete, and moves only what it must when members change. */
class GroupAssignmentProperties {

    @Property(tries = 300)
    void assignmentIsBalancedCoversEveryPartitionOnceAndKeepsOwnersWhereItCan(
            @ForAll @IntRange(min = 1, max = 64) int partitions,
            @ForAll @IntRange(min = 1, max = 10) int before,
            @ForAll @IntRange(min = 1, max = 10) int after) {
        List<Long> members = new ArrayList<>();
        for (long m = 0; m < before; m++) {
            members.add(m);
        }
        Long[] owners = new Long[partitions];
        GroupCoordinator.assign(partitions, members, new Long[partitions])
                .forEach((m, ps) -> ps.forEach(p -> owners[p] = m));
        // Membership changes: the last members leave or new ones join.
        List<Long> now = new ArrayList<>();
        for (long m = 0; m < after; m++) {
            now.add(m);
        }
        Map<Long, Set<Integer>> assignment = GroupCoordinator.assign(partitions, now, owners);

        Set<Integer> covered = new HashSet<>();
        int moved = 0;
        for (Map.Entry<Long, Set<Integer>> e : assignment.entrySet()) {
            assertThat(e.getValue().size()).isBetween(partitions / after, partitions / after + 1);
            for (int p : e.getValue()) {
                assertThat(covered.add(p)).as("partition %d assigned twice", p).isTrue();
                if (owners[p] != null && !owners[p].equals(e.getKey())) {
                    moved++;
                }
            }
        }
        assertThat(covered).hasSize(partitions);
        // Only partitions of members that left, or beyond a kept member's new quota, move.
        int mustMove = 0;
        for (long m = 0; m < before; m++) {
            long owned = 0;
            for (Long o : owners) {
                owned += o != null && o == m ? 1 : 0;
            }
            int quota = m < after ? partitions / after + (m < partitions % after ? 1 : 0) : 0;
            mustMove += Math.max(0, owned - quota);
        }
        assertThat(moved).isEqualTo(mustMove);
    }
}
