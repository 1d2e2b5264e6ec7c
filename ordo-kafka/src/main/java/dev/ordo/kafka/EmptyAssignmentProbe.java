package dev.ordo.kafka;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.KafkaFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells whether a member's empty assignment under KIP-848's consumer group protocol is the group's
 * decision or only a view not caught up yet. The coordinator assigns from its own view of the topics,
 * in the background: a member of a topic created a moment ago can first be assigned nothing, and
 * counting it as settled then would let {@code awaitCaughtUp} answer before it received anything.
 * It asks the coordinator (describe group) at most every 250 ms, without blocking the poll thread:
 * the empty assignment is final when the target for the group's current epoch gives the topic's
 * partitions to other members and none to this one. Poll thread only.
 */
final class EmptyAssignmentProbe implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaOrdoConsumer.class);
    private static final long ASK_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final Supplier<Admin> admins;
    private final String group;
    private final String topic;
    private Admin admin;
    private KafkaFuture<ConsumerGroupDescription> asked;
    private long askedAt;

    /** @param admins creates the admin client the first time one is needed */
    EmptyAssignmentProbe(Supplier<Admin> admins, String group, String topic) {
        this.admins = admins;
        this.group = group;
        this.topic = topic;
    }

    /**
     * Whether the group's target assignment, computed for its current epoch, gives the topic's
     * partitions to others and none to member {@code memberId}; false while that is not known (yet).
     */
    boolean assignsNothingTo(String memberId) {
        if (asked != null && asked.isDone()) {
            KafkaFuture<ConsumerGroupDescription> answer = asked;
            asked = null;
            try {
                if (givenToOthersOnly(answer.get(), memberId)) {
                    return true;
                }
            } catch (Exception e) {
                LOG.debug("could not describe group {}; asking again", group, e);
            }
        }
        long now = System.nanoTime();
        if (asked == null && now - askedAt >= ASK_EVERY_NANOS) {
            if (admin == null) {
                admin = admins.get();
            }
            asked = admin.describeConsumerGroups(List.of(group))
                    .describedGroups()
                    .get(group);
            askedAt = now;
        }
        return false;
    }

    private boolean givenToOthersOnly(ConsumerGroupDescription group, String memberId) {
        if (group.groupEpoch().isEmpty() || !group.groupEpoch().equals(group.targetAssignmentEpoch())) {
            return false; // the target for the latest membership is still to be computed
        }
        boolean others = false;
        for (MemberDescription m : group.members()) {
            boolean holds = m.targetAssignment().stream()
                    .flatMap(a -> a.topicPartitions().stream())
                    .anyMatch(tp -> tp.topic().equals(topic));
            if (m.consumerId().equals(memberId)) {
                if (holds) {
                    return false; // partitions are on their way to this member
                }
            } else {
                others |= holds;
            }
        }
        return others; // nobody holds any: the coordinator does not see the topic's partitions yet
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
    }
}
