package dev.ordo.log.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.log.storage.Directories;
import dev.ordo.partition.Placement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group's keys keep their member where the assignment allows: across a change of the partition count
 * a new partition goes to the member that held most of its keys, and every reassignment reports the
 * share of keys whose member changed ({@code GroupCoordinator.Group#keysMoved}).
 */
class KeyAffinityTest {

    @TempDir
    Path data;

    /** A topic's partition count as the coordinator sees it, and a group of members that take up what they are given. */
    private static final class Scene {
        final AtomicInteger partitions;
        final GroupCoordinator coordinator;
        final List<GroupCoordinator.Member> members = new ArrayList<>();

        Scene(Placement placement, int partitions, Path root) {
            this.partitions = new AtomicInteger(partitions);
            this.coordinator = new GroupCoordinator(
                    root,
                    topic -> new double[0],
                    topic -> KeyAffinity.place(placement.partitioner(), this.partitions.get()));
        }

        void join(int count) throws IOException {
            for (int i = 0; i < count; i++) {
                members.add(coordinator.join("g", "t", partitions.get(), false));
                settle();
            }
        }

        void leave(int index) {
            coordinator.leave(members.remove(index));
            settle();
        }

        void alter(int count) {
            partitions.set(count);
            coordinator.partitionsChanged(
                    "t", Math.max(count, members.get(0).group().partitions()));
            settle();
        }

        /** Every member gives up what it no longer should own, then takes up what it should. */
        void settle() {
            GroupCoordinator.Group group = members.get(0).group();
            for (GroupCoordinator.Member m : members) {
                for (int p = 0; p < group.partitions(); p++) {
                    if (!group.target(m.id()).contains(p)) {
                        group.release(m.id(), p);
                    }
                }
            }
            for (GroupCoordinator.Member m : members) {
                for (int p : group.target(m.id())) {
                    assertThat(group.tryAcquire(m.id(), p)).isTrue();
                }
            }
        }

        double keysMoved() {
            return members.get(0).group().keysMoved();
        }
    }

    @Test
    void doublingAKafkaPlacedTopicKeepsEveryKeyWithItsMember() throws IOException {
        Scene scene = new Scene(Placement.KAFKA, 4, data);
        scene.join(3);
        scene.leave(0); // members came and went: the two left own partitions 0, 2 and 1, 3
        scene.alter(8);
        // partition p + 4 takes exactly p's keys and goes to p's owner; an assignment blind to keys
        // gives 4 and 5 to one member, 6 and 7 to the other, and moves a quarter of the keys
        assertThat(scene.keysMoved()).isLessThan(0.01);
    }

    @Test
    void doublingAKafkaPlacedTopicMovesOnlyTheKeysThatBalanceMoves() throws IOException {
        Scene scene = new Scene(Placement.KAFKA, 4, data);
        scene.join(3);
        scene.alter(8);
        // quotas of 3, 3 and 2 partitions: one partition of eight (its keys) changes member
        assertThat(scene.keysMoved()).isBetween(0.09, 0.16);
    }

    @Test
    void growingAJumpPlacedTopicByOneMovesOnlyKeysThatChangedPartition() throws IOException {
        Scene scene = new Scene(Placement.JUMP, 4, data);
        scene.join(3);
        scene.alter(5);
        // a fifth of the keys move to the new partition, and about a third of those stay with their member
        assertThat(scene.keysMoved()).isBetween(0.08, 0.2);
    }

    @Test
    void aJoiningMemberTakesNoMoreKeysThanItsShare() throws IOException {
        Scene scene = new Scene(Placement.KAFKA, 8, data);
        scene.join(3);
        scene.join(1);
        assertThat(scene.keysMoved()).isBetween(0.2, 0.3);
    }

    @Test
    void shrinkingReportsTheKeysTheRetiredPartitionsHandOn() throws IOException {
        Scene scene = new Scene(Placement.KAFKA, 4, data);
        scene.join(2);
        scene.alter(8);
        scene.alter(4); // partitions 4-7 retire; their keys go back to p - 4, owned by the same member
        assertThat(scene.keysMoved()).isLessThan(0.05);
    }

    @Property(tries = 200)
    void everyPartitionHasOneOwnerAndMembersStayBalancedWhateverTheKeysSuggest(
            @ForAll Placement placement,
            @ForAll @IntRange(min = 1, max = 24) int from,
            @ForAll @IntRange(min = 1, max = 24) int to,
            @ForAll @IntRange(min = 1, max = 6) int members)
            throws IOException {
        Path root = Files.createTempDirectory("key-affinity");
        try {
            assertBalancedAfter(new Scene(placement, from, root), to, members);
        } finally {
            Directories.deleteRecursively(root);
        }
    }

    private static void assertBalancedAfter(Scene scene, int to, int members) throws IOException {
        int from = scene.partitions.get();
        scene.join(members);
        if (to != from) {
            scene.alter(to);
        }
        GroupCoordinator.Group group = scene.members.get(0).group();
        Set<Integer> covered = new HashSet<>();
        for (GroupCoordinator.Member m : scene.members) {
            Set<Integer> owned = group.target(m.id());
            assertThat(owned.size()).isBetween(group.partitions() / members, group.partitions() / members + 1);
            for (int p : owned) {
                assertThat(covered.add(p)).as("partition %d has two owners", p).isTrue();
            }
        }
        assertThat(covered).hasSize(group.partitions());
        assertThat(scene.keysMoved()).isBetween(0.0, 1.0);
    }
}
