package dev.ordo.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Sharing partitions by measured load: balanced by load, every partition once, few moves. */
class WeightedAssignmentProperties {

    @Property(tries = 500)
    void everyPartitionGoesToOneMemberAndTheBusiestCarriesAtMostTheMeanPlusOnePartition(
            @ForAll @Size(min = 1, max = 64) List<@DoubleRange(min = 0, max = 1_000) Double> weightList,
            @ForAll @IntRange(min = 1, max = 9) int memberCount,
            @ForAll long seed) {
        double[] weights = weightList.stream().mapToDouble(Double::doubleValue).toArray();
        List<String> members = members(memberCount);
        List<String> owners = randomOwners(weights.length, members(memberCount + 2), seed);

        Map<String, Set<Integer>> assignment =
                WeightedAssignment.assign(weights, members, owners, WeightedAssignment.DEFAULT_SLACK);

        List<Integer> all = new ArrayList<>();
        assignment.values().forEach(all::addAll);
        Collections.sort(all);
        assertThat(all).hasSize(weights.length).doesNotHaveDuplicates();
        assertThat(assignment.keySet()).containsExactlyInAnyOrderElementsOf(members);
        double total = Arrays.stream(weights).sum();
        double max = Arrays.stream(weights).max().orElse(0);
        double mean = total / memberCount;
        for (Set<Integer> partitions : assignment.values()) {
            double load = partitions.stream().mapToDouble(p -> weights[p]).sum();
            assertThat(load).isLessThanOrEqualTo(Math.max(mean * 1.1, mean + max) + 1e-6);
        }
    }

    @Example
    void aSkewedTopicIsSharedWithinAQuarterOfTheMeanWhereContiguousRangesDoubleIt() {
        double[] weights = new double[12];
        for (int p = 0; p < weights.length; p++) {
            weights[p] = 1_000.0 / (p + 1); // a few busy partitions, many quiet ones
        }
        Map<String, Set<Integer>> byLoad = WeightedAssignment.assign(
                weights, members(3), Collections.nCopies(12, null), WeightedAssignment.DEFAULT_SLACK);
        Map<String, Set<Integer>> ranges =
                Map.of("m0", Set.of(0, 1, 2, 3), "m1", Set.of(4, 5, 6, 7), "m2", Set.of(8, 9, 10, 11));

        assertThat(WeightedAssignment.imbalance(byLoad, weights)).isLessThanOrEqualTo(1.25);
        assertThat(WeightedAssignment.imbalance(ranges, weights)).isGreaterThanOrEqualTo(2.0);
    }

    @Example
    void withEqualWeightsEachMemberGetsItsShareAndAJoiningMemberTakesOnlyItsShare() {
        double[] idle = new double[12];
        Map<String, Set<Integer>> three = WeightedAssignment.assign(
                idle, members(3), Collections.nCopies(12, null), WeightedAssignment.DEFAULT_SLACK);
        three.values().forEach(partitions -> assertThat(partitions).hasSize(4));

        List<String> owners = new ArrayList<>(Collections.nCopies(12, null));
        three.forEach((member, partitions) -> partitions.forEach(p -> owners.set(p, member)));
        Map<String, Set<Integer>> four =
                WeightedAssignment.assign(idle, members(4), owners, WeightedAssignment.DEFAULT_SLACK);

        four.values().forEach(partitions -> assertThat(partitions).hasSize(3));
        int moved = 0;
        for (Map.Entry<String, Set<Integer>> e : four.entrySet()) {
            for (int p : e.getValue()) {
                moved += e.getKey().equals(owners.get(p)) ? 0 : 1;
            }
        }
        assertThat(moved).as("only the new member's share moves").isEqualTo(3);
    }

    @Example
    void aNegativeOrMissingWeightIsRefusedNamingThePartition() {
        assertThatThrownBy(
                        () -> WeightedAssignment.assign(new double[] {1, -2}, members(1), Arrays.asList(null, null), 0))
                .hasMessage("weight of partition 1 must be >= 0, was -2.0");
        assertThatThrownBy(() -> WeightedAssignment.assign(new double[] {1, 2}, members(1), List.of(), 0))
                .hasMessage("owners must have one entry per partition (2), had 0");
    }

    private static List<String> members(int count) {
        List<String> members = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            members.add("m" + i);
        }
        return members;
    }

    private static List<String> randomOwners(int partitions, List<String> candidates, long seed) {
        Random random = new Random(seed);
        List<String> owners = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            int pick = random.nextInt(candidates.size() + 1);
            owners.add(pick == candidates.size() ? null : candidates.get(pick));
        }
        return owners;
    }
}
