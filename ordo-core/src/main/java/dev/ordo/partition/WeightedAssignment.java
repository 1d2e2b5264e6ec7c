package dev.ordo.partition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Shares a topic's partitions among a group's members by their measured load, not their count: with a
 * skewed topic, a count-based assignment can give one member the busy partitions and another the idle
 * ones. Partitions are placed heaviest first on the least loaded member (longest-processing-time-first),
 * so the busiest member carries at most the mean plus one partition's load; each partition stays with
 * its current owner while that owner stays within {@code mean x (1 + slack)} (or one partition more), so
 * a membership change moves few partitions. With equal weights it gives each member
 * {@code partitions / members} or one more, as a count-based assignment does.
 */
public final class WeightedAssignment {

    /** How far above the mean a member may stay loaded to keep its partitions (sticky). */
    public static final double DEFAULT_SLACK = 0.1;

    private WeightedAssignment() {}

    /**
     * The assignment of partitions {@code 0..weights.length-1} to {@code members}.
     *
     * @param weights each partition's recent load (records/s, bytes/s; any unit, >= 0); all zero: equal
     * @param owners each partition's current owner, or null (entries of members that left are ignored)
     * @return each member's partitions (every member present, possibly with none)
     */
    public static <M> Map<M, Set<Integer>> assign(double[] weights, List<M> members, List<M> owners, double slack) {
        Objects.requireNonNull(weights, "weights must not be null");
        if (owners.size() != weights.length) {
            throw new IllegalArgumentException(
                    "owners must have one entry per partition (" + weights.length + "), had " + owners.size());
        }
        Map<M, Set<Integer>> result = new HashMap<>();
        if (members.isEmpty()) {
            return result;
        }
        double[] w = normalized(weights);
        Map<M, Double> load = new HashMap<>();
        for (M m : members) {
            result.put(m, new TreeSet<>());
            load.put(m, 0.0);
        }
        List<Integer> heaviestFirst = new ArrayList<>();
        double total = 0;
        for (int p = 0; p < w.length; p++) {
            heaviestFirst.add(p);
            total += w[p];
        }
        heaviestFirst.sort(
                Comparator.comparingDouble((Integer p) -> w[p]).reversed().thenComparing(p -> p));
        double cap = total / members.size() * (1 + slack);
        List<Integer> unplaced = new ArrayList<>();
        for (int p : heaviestFirst) { // first, what may stay where it is
            M owner = owners.get(p);
            if (owner != null && load.containsKey(owner) && load.get(owner) + w[p] <= Math.max(cap, w[p])) {
                result.get(owner).add(p);
                load.merge(owner, w[p], Double::sum);
            } else {
                unplaced.add(p);
            }
        }
        for (int p : unplaced) { // then the rest, heaviest first, to the least loaded
            M least = members.get(0);
            for (M m : members) {
                if (load.get(m) < load.get(least)
                        || (load.get(m).equals(load.get(least))
                                && result.get(m).size() < result.get(least).size())) {
                    least = m;
                }
            }
            result.get(least).add(p);
            load.merge(least, w[p], Double::sum);
        }
        return result;
    }

    /** The busiest member's load over the mean load, for an assignment and the weights it was made for. */
    public static <M> double imbalance(Map<M, Set<Integer>> assignment, double[] weights) {
        double total = 0;
        double max = 0;
        for (Set<Integer> partitions : assignment.values()) {
            double load = 0;
            for (int p : partitions) {
                load += weights[p];
            }
            total += load;
            max = Math.max(max, load);
        }
        return total == 0 ? 1 : max / (total / assignment.size());
    }

    /** The weights, or all ones if none is positive (nothing measured yet: share by count). */
    private static double[] normalized(double[] weights) {
        double[] w = new double[weights.length];
        boolean any = false;
        for (int p = 0; p < weights.length; p++) {
            if (!(weights[p] >= 0) || Double.isInfinite(weights[p])) {
                throw new IllegalArgumentException("weight of partition " + p + " must be >= 0, was " + weights[p]);
            }
            any |= weights[p] > 0;
        }
        for (int p = 0; p < weights.length; p++) {
            // A partition that carries nothing still counts a little, so idle ones spread too.
            w[p] = any ? weights[p] + 1e-9 : 1;
        }
        return w;
    }
}
