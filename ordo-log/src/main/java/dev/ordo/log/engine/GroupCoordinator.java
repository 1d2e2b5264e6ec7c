package dev.ordo.log.engine;

import dev.ordo.partition.WeightedAssignment;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;

/**
 * The consumer groups of one engine: which member of a group should own which partition of a topic
 * (balanced by each partition's measured load, moving few partitions when members join or leave),
 * which member owns it right now, and the group's committed offsets, shared by its members.
 *
 * <p>The hand-over is cooperative, as in Kafka's cooperative-sticky protocol: a member that loses a
 * partition stops fetching it, lets its in-flight records finish, commits, and only then
 * {@link #release releases} it; the new owner {@link #tryAcquire acquires} it after that and starts
 * from the committed offset. So two members never handle records of one partition at once, and a
 * key's records are handled in log order across the hand-over. Thread-safe.
 *
 * <p>Public only for Ordo's own producer and consumer (see {@link ClientAccess}); not an API.
 */
public final class GroupCoordinator {

    private final Path dataRoot;
    /** Each topic's recent load per partition (records/s), which assignments are balanced by. */
    private final Function<String, double[]> load;
    /** Where each topic's current layout places {@link KeyAffinity}'s sample keys. */
    private final Function<String, int[]> keyPlacement;

    private final Map<String, Group> groups = new HashMap<>();
    private long nextMemberId;

    GroupCoordinator(Path dataRoot, Function<String, double[]> load, Function<String, int[]> keyPlacement) {
        this.dataRoot = dataRoot;
        this.load = load;
        this.keyPlacement = keyPlacement;
    }

    /** A member's view: its id and its group. */
    public record Member(long id, Group group) {}

    /** One group on one topic. */
    public static final class Group {
        private final String name;
        private final String topic;
        private volatile int partitions;
        private final CommittedOffsets offsets;
        private final List<Long> members = new ArrayList<>();
        private final Map<Long, Set<Integer>> targets = new HashMap<>();
        /** Partitions a member asked to own whatever the load (operator's affinity). */
        private final Map<Long, Set<Integer>> pins = new HashMap<>();

        private Long[] owners;
        /**
         * Per partition, the offset below which the group has handled every record, as its owner last
         * reported it: what a record fenced behind a change of the partition count waits for.
         */
        private volatile AtomicLongArray handled;

        private boolean exclusive;
        private volatile int generation;

        private final Function<String, double[]> load;
        private final KeyAffinity affinity;

        private Group(
                String name,
                String topic,
                int partitions,
                CommittedOffsets offsets,
                Function<String, double[]> load,
                KeyAffinity affinity) {
            this.name = name;
            this.load = load;
            this.affinity = affinity;
            this.topic = topic;
            this.partitions = partitions;
            this.offsets = offsets;
            this.owners = new Long[partitions];
            this.handled = unreported(partitions);
        }

        /** How many partitions the group's topic has (retired ones too): grows when the topic does. */
        public int partitions() {
            return partitions;
        }

        /**
         * The owner of {@code partition} has handled every record below {@code next}. Reported often and
         * cheaply (no lock); goes back only by {@link #startHandling}.
         */
        public void reportHandled(int partition, long next) {
            AtomicLongArray positions = handled;
            if (partition < positions.length() && positions.get(partition) < next) {
                positions.accumulateAndGet(partition, next, Math::max);
            }
        }

        /**
         * A member took {@code partition} up and handles it from {@code position} on (its committed offset,
         * a seek, a restored state): what the group has handled there is that, also when it is less than
         * was reported before (a replay).
         */
        public void startHandling(int partition, long position) {
            AtomicLongArray positions = handled;
            if (partition < positions.length()) {
                positions.set(partition, position);
            }
        }

        /**
         * The offset below which the group has handled every record of {@code partition}: what its owner
         * reported, or, before any member took it up in this engine, what the group committed.
         */
        public long handled(int partition) {
            AtomicLongArray positions = handled;
            long reported = partition < positions.length() ? positions.get(partition) : -1;
            return reported >= 0 ? reported : offsets.get(partition);
        }

        private static AtomicLongArray unreported(int partitions) {
            AtomicLongArray positions = new AtomicLongArray(partitions);
            for (int q = 0; q < partitions; q++) {
                positions.set(q, -1);
            }
            return positions;
        }

        /**
         * The topic's layout changed and it has {@code count} partitions now (retired ones count): new ones
         * are assigned too, each where most of its keys were if the assignment allows.
         */
        private void layoutChanged(int count) {
            if (count > partitions) {
                grow(count);
            } else {
                affinity.reassigned(targets, partitions);
            }
        }

        /** The topic grew to {@code count} partitions (retired ones count): they are assigned too. */
        private void grow(int count) {
            if (count <= partitions) {
                return;
            }
            owners = Arrays.copyOf(owners, count);
            AtomicLongArray positions = unreported(count);
            for (int q = 0; q < handled.length(); q++) {
                positions.set(q, handled.get(q));
            }
            handled = positions;
            partitions = count;
            rebalance();
        }

        String name() {
            return name;
        }

        /** The group's committed offsets, shared by its members. */
        public CommittedOffsets offsets() {
            return offsets;
        }

        /**
         * The share of the group's keys whose member changed at its last reassignment or change of the
         * partition count (0 before any): how well keys keep their member (and its caches, its state).
         */
        public double keysMoved() {
            return affinity.moved();
        }

        /** Bumped at every membership change; members compare it to notice a new assignment cheaply. */
        public int generation() {
            return generation;
        }

        /** The partitions {@code member} should own in the current generation. */
        public synchronized Set<Integer> target(long member) {
            return Set.copyOf(targets.getOrDefault(member, Set.of()));
        }

        /** Takes ownership of a partition if no other member still holds it. */
        public synchronized boolean tryAcquire(long member, int partition) {
            if (!targets.getOrDefault(member, Set.of()).contains(partition)) {
                return false;
            }
            if (owners[partition] == null || owners[partition] == member) {
                owners[partition] = member;
                return true;
            }
            return false;
        }

        /** Gives up a partition (after draining and committing it). */
        public synchronized void release(long member, int partition) {
            if (owners[partition] != null && owners[partition] == member) {
                owners[partition] = null;
            }
        }

        synchronized int memberCount() {
            return members.size();
        }

        /** Each member now, with the partitions it owns (none while it waits for a partition to be released). */
        synchronized Map<Long, Set<Integer>> ownership() {
            Map<Long, Set<Integer>> owned = new TreeMap<>();
            members.forEach(m -> owned.put(m, new TreeSet<>()));
            for (int p = 0; p < owners.length; p++) {
                if (owners[p] != null && owned.containsKey(owners[p])) {
                    owned.get(owners[p]).add(p);
                }
            }
            return owned;
        }

        /**
         * Shares the partitions among the members by their measured load ({@link WeightedAssignment}),
         * or, before any is measured, by count; partitions stay with their owners, and one without an
         * owner goes to the member that held most of its keys, where the balance allows.
         */
        private void rebalance() {
            targets.clear();
            Long[] stickTo = affinity.stickTo(owners);
            double[] weights = Arrays.copyOf(load.apply(topic), partitions);
            for (int q = 0; q < weights.length; q++) {
                weights[q] = weights[q] > 0 && Double.isFinite(weights[q]) ? weights[q] : 0; // no measure: no load
            }
            if (Arrays.stream(weights).anyMatch(w -> w > 0)) {
                targets.putAll(WeightedAssignment.assign(
                        weights, members, Arrays.asList(stickTo), WeightedAssignment.DEFAULT_SLACK));
            } else {
                targets.putAll(assign(partitions, members, stickTo));
            }
            pins.forEach((member, pinned) -> {
                for (int p : pinned) {
                    if (p < partitions) {
                        targets.values().forEach(t -> t.remove(p));
                        targets.get(member).add(p);
                    }
                }
            });
            affinity.reassigned(targets, partitions);
            generation++;
        }
    }

    /**
     * Adds a member to {@code group} on {@code topic} and rebalances.
     *
     * @param exclusive the member must be the only one (a consumer with a committed state)
     * @throws IllegalStateException if an exclusive member would share the group
     */
    synchronized Member join(String group, String topic, int partitions, boolean exclusive) throws IOException {
        return join(group, topic, partitions, exclusive, Set.of());
    }

    /**
     * {@link #join(String, String, int, boolean)} for a member that owns {@code pinned} partitions
     * whatever the load; the others are shared among all members.
     *
     * @throws IllegalStateException if another member of the group pinned one of them
     */
    synchronized Member join(String group, String topic, int partitions, boolean exclusive, Set<Integer> pinned)
            throws IOException {
        Group g = group(group, topic, partitions);
        synchronized (g) {
            if (!g.members.isEmpty() && (exclusive || g.exclusive)) {
                throw new IllegalStateException("group '" + group + "' on topic '" + topic
                        + "' has a member whose offsets are committed with its own state; it cannot be shared");
            }
            for (Map.Entry<Long, Set<Integer>> other : g.pins.entrySet()) {
                for (int p : pinned) {
                    if (other.getValue().contains(p)) {
                        throw new IllegalStateException("partition " + p + " of topic '" + topic
                                + "' is pinned to another member of group '" + group + "'");
                    }
                }
            }
            if (exclusive) {
                g.offsets.keptInState(); // its offsets are not in the file: nothing it may need is deleted
            }
            long id = nextMemberId++;
            g.exclusive = exclusive;
            g.members.add(id);
            if (!pinned.isEmpty()) {
                g.pins.put(id, Set.copyOf(pinned));
            }
            g.rebalance();
            return new Member(id, g);
        }
    }

    /**
     * Sets the committed offsets of a group that has no member now, as Kafka's
     * {@code Admin.alterConsumerGroupOffsets} does: its next member starts there.
     *
     * @throws IllegalStateException if the group has a member now
     */
    synchronized void alterOffsets(String group, String topic, int partitions, Map<Integer, Long> offsets)
            throws IOException {
        Group g = group(group, topic, partitions);
        synchronized (g) {
            if (!g.members.isEmpty()) {
                throw new IllegalStateException("group '" + group + "' on topic '" + topic + "' has " + g.members.size()
                        + " member(s) now; its offsets change only while it has none");
            }
            g.offsets.reset(offsets); // to any offset, behind or ahead, as Kafka's admin allows
        }
    }

    /** The group {@code group} on {@code topic}, loaded (its committed offsets) on first use. */
    private Group group(String group, String topic, int partitions) throws IOException {
        String key = group + "\u0000" + topic;
        Group g = groups.get(key);
        if (g == null) {
            Set<Path> inUse = new HashSet<>();
            groups.values().forEach(other -> inUse.add(other.offsets.file()));
            g = new Group(
                    group,
                    topic,
                    partitions,
                    CommittedOffsets.load(dataRoot, group, topic, inUse),
                    load,
                    new KeyAffinity(() -> keyPlacement.apply(topic)));
            groups.put(key, g);
        }
        synchronized (g) {
            g.grow(partitions);
        }
        return g;
    }

    /** Per group of {@code topic} with members now: each member and the partitions it owns. */
    synchronized Map<String, Map<Long, Set<Integer>>> members(String topic) {
        Map<String, Map<Long, Set<Integer>>> members = new TreeMap<>();
        for (Group g : groups.values()) {
            if (g.topic.equals(topic) && g.memberCount() > 0) {
                members.put(g.name, g.ownership());
            }
        }
        return members;
    }

    /** The committed offsets of {@code topic}'s groups that have members now. */
    synchronized List<CommittedOffsets> liveOffsets(String topic) {
        List<CommittedOffsets> live = new ArrayList<>();
        for (Group g : groups.values()) {
            if (g.topic.equals(topic) && g.memberCount() > 0) {
                live.add(g.offsets);
            }
        }
        return live;
    }

    /**
     * {@code topic} has {@code partitions} partitions now (retired ones count): each of its groups
     * assigns the new ones too; members notice the new generation and take them up.
     */
    synchronized void partitionsChanged(String topic, int partitions) {
        for (Group g : groups.values()) {
            if (g.topic.equals(topic)) {
                synchronized (g) {
                    g.layoutChanged(partitions);
                }
            }
        }
    }

    /**
     * Shares {@code topic}'s groups anew where the busiest member carries more than
     * {@value #SKEW_LIMIT} times the mean of the load measured now ({@code rates}, records/s per
     * partition) and a new assignment would lower that by a fifth: each move costs a hand-over (a drain
     * and a commit), so only a real gain is worth one.
     */
    synchronized void rebalanceIfSkewed(String topic, double[] rates) {
        for (Group g : groups.values()) {
            if (!g.topic.equals(topic)) {
                continue;
            }
            synchronized (g) {
                if (g.members.size() < 2) {
                    continue;
                }
                double[] weights = Arrays.copyOf(rates, g.partitions);
                double now = WeightedAssignment.imbalance(g.targets, weights);
                double better = WeightedAssignment.imbalance(
                        WeightedAssignment.assign(
                                weights, g.members, Arrays.asList(g.owners), WeightedAssignment.DEFAULT_SLACK),
                        weights);
                if (now > SKEW_LIMIT && better < now * 0.8) {
                    g.rebalance();
                }
            }
        }
    }

    /** How far above the mean load the busiest member of a group may be before the load watch moves partitions. */
    static final double SKEW_LIMIT = 1.5;

    /** Removes a member (which has released its partitions) and rebalances. */
    synchronized void leave(Member member) {
        Group g = member.group();
        synchronized (g) {
            g.members.remove(member.id());
            g.pins.remove(member.id());
            for (int p = 0; p < g.partitions; p++) {
                g.release(member.id(), p);
            }
            g.exclusive = false;
            g.rebalance();
        }
    }

    /**
     * A balanced assignment (every member gets {@code partitions / members} or one more) that
     * leaves each partition with its current owner where the quotas allow, so a membership change
     * moves as few partitions as possible. Members earlier in the list get the larger quotas.
     */
    static Map<Long, Set<Integer>> assign(int partitions, List<Long> members, Long[] owners) {
        Map<Long, Set<Integer>> result = new HashMap<>();
        if (members.isEmpty()) {
            return result;
        }
        int base = partitions / members.size();
        int extra = partitions % members.size();
        Map<Long, Integer> quota = new HashMap<>();
        for (int i = 0; i < members.size(); i++) {
            quota.put(members.get(i), base + (i < extra ? 1 : 0));
            result.put(members.get(i), new TreeSet<>());
        }
        List<Integer> unassigned = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            Long owner = owners[p];
            if (owner != null && result.containsKey(owner) && result.get(owner).size() < quota.get(owner)) {
                result.get(owner).add(p);
            } else {
                unassigned.add(p);
            }
        }
        for (int p : unassigned) {
            for (Long m : members) {
                if (result.get(m).size() < quota.get(m)) {
                    result.get(m).add(p);
                    break;
                }
            }
        }
        return result;
    }
}
