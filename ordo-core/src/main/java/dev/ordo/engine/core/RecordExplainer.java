package dev.ordo.engine.core;

import dev.ordo.Arguments;
import dev.ordo.engine.Explanation;
import dev.ordo.engine.Explanation.Status;
import dev.ordo.engine.KeyInFlight;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntToLongFunction;

/**
 * Says where one record is in a consumer and what holds it ({@link Explanation}), from the
 * {@link RecordDispatcher}'s view of its partition: the commit point, the records in flight and their keys'
 * heads, how far the partition was handed over, its end and its fence. Its reads are ordered so that a record
 * moving on while it is read is seen where it was or where it went, never where it never was. A snapshot.
 */
final class RecordExplainer {

    private final String topic;
    private final String group;
    private final RecordDispatcher<?, ?> dispatcher;
    private final Set<Integer> assignment;
    private final IntToLongFunction endOffset;
    private final Map<Integer, String> fenceHolds;

    /**
     * @param assignment the partitions the consumer owns now
     * @param endOffset a partition's end (the offset its next record gets), or negative if not known
     * @param fenceHolds partitions held by a partition fence, and what each waits for
     */
    RecordExplainer(
            ConsumerSettings<?, ?> settings,
            RecordDispatcher<?, ?> dispatcher,
            Set<Integer> assignment,
            IntToLongFunction endOffset,
            Map<Integer, String> fenceHolds) {
        this.topic = settings.topic();
        this.group = settings.group();
        this.dispatcher = dispatcher;
        this.assignment = assignment;
        this.endOffset = endOffset;
        this.fenceHolds = fenceHolds;
    }

    Explanation explain(int partition, long offset) {
        Arguments.atLeast("partition", partition, 0);
        Arguments.atLeast("offset", offset, 0);
        String record = topic + "-" + partition + "@" + offset;
        Assignment a = dispatcher.assignment(partition);
        if (a == null) {
            return notOwned(record, partition);
        }
        long commitPoint = commitPoint(a);
        if (offset < commitPoint) {
            return handled(record, "it is below the commit point " + commitPoint + " of " + topic + "-" + partition);
        }
        // Read before the records in flight: the dispatcher holds a hand-over before it moves this mark, so a
        // record at or below it that is not in flight has finished.
        long handedOverTo = a.lastDispatched;
        RawRecord task = a.inFlight(offset);
        if (task != null) {
            return inFlight(record, task, a);
        }
        if (offset <= handedOverTo) {
            long now = commitPoint(a);
            return handled(
                    record,
                    offset < now
                            ? "it is below the commit point " + now + " of " + topic + "-" + partition
                            : "it finished beyond the commit point, which waits for " + topic + "-" + partition + "@"
                                    + now + " (ask about that record for why)");
        }
        return notHandedOver(record, partition, offset, a.startOffset, handedOverTo);
    }

    /** Where the partition's next record to commit is: after the handled ones, or where this ownership began. */
    private long commitPoint(Assignment a) {
        long next = dispatcher.commitPoint(a.partition);
        return next >= 0 ? next : a.startOffset;
    }

    private Explanation notOwned(String record, int partition) {
        String line = assignment.isEmpty()
                ? "this consumer owns no partition now"
                : "this consumer owns partitions " + assignment + " of " + topic + ", not " + partition;
        return new Explanation(
                null,
                record,
                Status.NOT_OWNED,
                null,
                List.of(line + "; another member of group " + group + " may own it (if the topic has a partition "
                        + partition + ")"));
    }

    private Explanation handled(String record, String why) {
        return new Explanation(
                null, record, Status.HANDLED, null, List.of("handled (or skipped or dead-lettered): " + why));
    }

    private Explanation inFlight(String record, RawRecord task, Assignment a) {
        String key = HandlerStage.keyText(task);
        Optional<KeyInFlight> head = dispatcher.headOf(task.executionKey);
        if (a.inFlight(task.offset()) == null) {
            return handled(record, "it finished just now"); // the head seen may be its successor
        }
        if (head.isEmpty()) {
            return new Explanation(
                    key,
                    record,
                    Status.WAITING_FOR_SLOT,
                    null,
                    List.of("it is fetched and nothing of its key runs: it waits for a handler thread (concurrency "
                            + dispatcher.executor().concurrency() + ", or the rate limit), busy with other keys; "
                            + dispatcher.inFlight() + " records are in flight"));
        }
        KeyInFlight h = head.get();
        if (h.partition() == task.partition() && h.offset() == task.offset()) {
            List<String> reasons = new ArrayList<>();
            reasons.add(KeyExplainer.heldBecause(h));
            if (h.waitingBehind() > 0) {
                reasons.add(h.waitingBehind() + " later records wait behind it");
            }
            return new Explanation(key, record, KeyExplainer.status(h), h, reasons);
        }
        String whose = task.executionKey instanceof Integer
                ? "its partition's head (ordering by partition)"
                : "the head of its key";
        return new Explanation(
                key,
                record,
                Status.WAITING_BEHIND,
                h,
                List.of(
                        "it waits behind " + topic + "-" + h.partition() + "@" + h.offset() + ", " + whose,
                        KeyExplainer.heldBecause(h)));
    }

    /** Not handed to the handlers yet: beyond the end, fenced, or not fetched. */
    private Explanation notHandedOver(String record, int partition, long offset, long startOffset, long handedOverTo) {
        long end = endOffset.applyAsLong(partition);
        if (end >= 0 && offset >= end) {
            return new Explanation(
                    null,
                    record,
                    Status.BEYOND_END,
                    null,
                    List.of(topic + "-" + partition + " ends at offset " + end
                            + " (the next appended gets it), as this consumer knows it: nothing is at " + offset
                            + " yet"));
        }
        long from = Math.max(handedOverTo + 1, startOffset);
        String ahead = offset > from ? "; " + (offset - from) + " records of it before this one are not either" : "";
        String fence = fenceHolds.get(partition);
        if (fence != null) {
            return new Explanation(
                    null,
                    record,
                    Status.FENCED,
                    null,
                    List.of(
                            topic + "-" + partition + " is fenced: " + fence,
                            "it is handed to the handlers from offset " + from + " once the fence passes" + ahead));
        }
        List<String> reasons = new ArrayList<>();
        reasons.add("not handed to the handlers yet: the next record of " + topic + "-" + partition
                + " to hand over is at offset " + from + (end >= 0 ? " (its end: " + end + ")" : "") + ahead);
        if (dispatcher.isPaused()) {
            reasons.add("the consumer is paused: it hands no records to the handlers until resume()");
        } else if (dispatcher.full()) {
            reasons.add("fetching is paused: " + dispatcher.inFlight() + " records are in flight (maxInFlight "
                    + dispatcher.maxInFlight() + ")");
        }
        dispatcher.stall().ifPresent(reasons::add);
        return new Explanation(null, record, Status.NOT_FETCHED, null, reasons);
    }
}
