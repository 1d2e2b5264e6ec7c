package dev.ordo.check;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decides, from what was sent and what was received, whether delivery was exact and ordered:
 * reports {@link Anomaly#LOST lost}, {@link Anomaly#DUPLICATED duplicated},
 * {@link Anomaly#REORDERED reordered within a key}, {@link Anomaly#GAP gaps} in a source's
 * sequence, {@link Anomaly#UNEXPECTED unexpected} messages, {@link Anomaly#PARTITION_MISMATCH
 * records read from the wrong partition} and {@link Anomaly#TIMESTAMP_ANOMALY event times out of
 * bounds}, each with its count, {@link Severity} and first example.
 *
 * <p>The rules, so that a report can be read without this code. Every problem is counted under
 * one kind only, so the counts add up to what went wrong:
 * <ul>
 *   <li>Messages are matched by {@link Message#id()}. A second send of the same id is ignored
 *       (a producer retry).</li>
 *   <li>LOST: a send whose id is never received.</li>
 *   <li>DUPLICATED: every receipt of an id after its first. Only the first receipt of an id takes
 *       part in the rules below.</li>
 *   <li>UNEXPECTED: a receipt of an id never sent, or with another key or source than its send.
 *       It takes part in no other rule.</li>
 *   <li>REORDERED: per key, the intended order is the order of the sends; a receipt is REORDERED
 *       when a message of its key sent later was already received. A message that arrives late
 *       counts once, however many it was overtaken by.</li>
 *   <li>GAP: per source, a run of sequence numbers between the lowest and the highest the history
 *       knows (from sends and first receipts) that no send and no receipt carries, counted once
 *       per run. A lost message is LOST and a late one REORDERED, never also a GAP: a GAP is a
 *       number nobody sent as far as the history knows (the sender skipped it, or the history
 *       misses sends). Where sends carry no sequence (receipts numbered by partition offset), a
 *       lost message's offset is unknown and it may also leave a GAP.</li>
 *   <li>PARTITION_MISMATCH: with a layout in the {@link Expectations}, a message whose partition
 *       (its receipt's, else its send's) is not the one the layout maps its key to.</li>
 *   <li>TIMESTAMP_ANOMALY: a message whose event time (its receipt's {@code timestamp}, else its
 *       send's) lies outside the {@link TimestampBounds} around the reference time (its receipt's
 *       {@code at}, else its send's); not checked when either is missing.</li>
 * </ul>
 *
 * <pre>{@code
 * CheckReport report = OrderingChecker.check(history.sent(), history.received());
 * assertThat(report.isClean()).as(report.summary()).isTrue();
 * }</pre>
 */
public final class OrderingChecker {

    private OrderingChecker() {}

    /**
     * Checks receipts against sends, both lists in the order the events happened, with the
     * {@link Expectations#defaults() default expectations} (no partition layout).
     */
    public static CheckReport check(List<Message> sent, List<Message> received) {
        return check(sent, received, Expectations.defaults());
    }

    /** Checks receipts against sends, both lists in the order the events happened, against {@code expectations}. */
    public static CheckReport check(List<Message> sent, List<Message> received, Expectations expectations) {
        Objects.requireNonNull(expectations, "expectations must not be null");
        PartitionLayout<String> layout = expectations.layout().orElse(null);
        TimestampBounds bounds = expectations.timestampBounds();
        Map<String, Sent> sentById = new HashMap<>(sent.size() * 2);
        Map<String, Integer> sendsPerKey = new HashMap<>();
        SequenceHoles holes = new SequenceHoles();
        for (Message m : sent) {
            if (sentById.containsKey(m.id())) {
                continue;
            }
            int position = sendsPerKey.merge(m.key(), 1, Integer::sum) - 1;
            sentById.put(m.id(), new Sent(m, position));
            if (m.sequence() >= 0) {
                holes.add(m.source(), m.sequence());
            }
        }

        Tally tally = new Tally();
        Set<String> seen = new HashSet<>(received.size() * 2);
        Map<String, Sent> latestPerKey = new HashMap<>();
        for (Message r : received) {
            Sent s = sentById.get(r.id());
            if (s == null) {
                tally.add(Anomaly.UNEXPECTED, () -> r + " was received but never sent");
                continue;
            }
            if (!s.message.key().equals(r.key()) || !s.message.source().equals(r.source())) {
                tally.add(Anomaly.UNEXPECTED, () -> r + " was sent as " + s.message);
                continue;
            }
            if (!seen.add(r.id())) {
                tally.add(Anomaly.DUPLICATED, () -> r + " was received again");
                continue;
            }
            Sent latest = latestPerKey.get(r.key());
            if (latest != null && latest.position > s.position) {
                tally.add(
                        Anomaly.REORDERED,
                        () -> r + " (send #" + s.position + " of its key) arrived after " + latest.message + " (send #"
                                + latest.position + ")");
            } else {
                latestPerKey.put(r.key(), s);
            }
            if (r.sequence() >= 0) {
                holes.add(r.source(), r.sequence());
            }
            if (layout != null) {
                checkPartition(r, s.message, layout, tally);
            }
            checkTimestamp(r, s.message, bounds, tally);
        }
        holes.report(tally);
        for (Message m : sent) {
            if (!seen.contains(m.id()) && sentById.get(m.id()).message == m) {
                tally.add(Anomaly.LOST, () -> m + " was sent and never received");
            }
        }
        return new CheckReport(sentById.size(), received.size(), tally.findings());
    }

    private static void checkPartition(Message received, Message sent, PartitionLayout<String> layout, Tally tally) {
        int partition = received.partition() >= 0 ? received.partition() : sent.partition();
        if (partition < 0) {
            return;
        }
        int expected = layout.partitionOf(received.key());
        if (partition != expected) {
            tally.add(
                    Anomaly.PARTITION_MISMATCH,
                    () -> received + " was " + (received.partition() >= 0 ? "read from" : "sent to") + " partition "
                            + partition + ", its key belongs in partition " + expected + " (" + layout + ")");
        }
    }

    private static void checkTimestamp(Message received, Message sent, TimestampBounds bounds, Tally tally) {
        long eventTime = received.timestamp() >= 0 ? received.timestamp() : sent.timestamp();
        long reference = received.at() >= 0 ? received.at() : sent.at();
        if (eventTime >= 0 && reference >= 0 && !bounds.allows(eventTime, reference)) {
            String referenceName = received.at() >= 0 ? "its receipt at" : "its send at";
            tally.add(
                    Anomaly.TIMESTAMP_ANOMALY,
                    () -> received + ": " + bounds.describe(eventTime, reference, referenceName));
        }
    }

    /**
     * Checks causal order: at every process, each message must be delivered after all messages
     * that causally precede it. With causal-broadcast stamps a message {@code m} from {@code s}
     * depends on the first {@code clock[j]} messages of every other sender {@code j} and the first
     * {@code clock[s] - 1} of its own sender, so each delivery is checked against the messages
     * already delivered at its process. Repeated deliveries of an id are counted as
     * {@link Anomaly#DUPLICATED}.
     *
     * @param deliveries every delivery, in the order it happened at its process (processes may interleave)
     */
    public static CheckReport checkCausal(List<CausalDelivery> deliveries) {
        Tally tally = new Tally();
        Map<String, Map<String, DeliveredPrefix>> perProcess = new HashMap<>();
        Map<String, Set<String>> seenPerProcess = new HashMap<>();
        Set<String> ids = new HashSet<>();
        for (CausalDelivery d : deliveries) {
            ids.add(d.id());
            if (!seenPerProcess
                    .computeIfAbsent(d.process(), p -> new HashSet<>())
                    .add(d.id())) {
                tally.add(Anomaly.DUPLICATED, () -> d.id() + " was delivered again at " + d.process());
                continue;
            }
            Map<String, DeliveredPrefix> prefixes = perProcess.computeIfAbsent(d.process(), p -> new HashMap<>());
            for (Map.Entry<String, Long> e : d.clock().counters().entrySet()) {
                long needed = e.getKey().equals(d.sender()) ? e.getValue() - 1 : e.getValue();
                long have = prefixes.getOrDefault(e.getKey(), DeliveredPrefix.NONE).prefix;
                if (have < needed) {
                    tally.add(
                            Anomaly.CAUSAL_VIOLATION,
                            () -> d.id() + " from " + d.sender() + " " + d.clock()
                                    + " was delivered at " + d.process() + " before message #" + (have + 1) + " of "
                                    + e.getKey()
                                    + " that it depends on");
                    break;
                }
            }
            prefixes.computeIfAbsent(d.sender(), s -> new DeliveredPrefix())
                    .add(d.clock().get(d.sender()));
        }
        return new CheckReport(ids.size(), deliveries.size(), tally.findings());
    }

    /**
     * Checks that two replicas which must apply one total order agree: at every position both have
     * reached, they hold the same message id. A replica that is merely behind (its output a prefix
     * of the other's) agrees.
     */
    public static CheckReport compareTotalOrder(List<String> replicaA, List<String> replicaB) {
        Tally tally = new Tally();
        int common = Math.min(replicaA.size(), replicaB.size());
        for (int i = 0; i < common; i++) {
            if (!replicaA.get(i).equals(replicaB.get(i))) {
                int at = i;
                tally.add(
                        Anomaly.TOTAL_ORDER_DISAGREEMENT,
                        () -> "position " + at + ": replica A has " + replicaA.get(at) + ", replica B has "
                                + replicaB.get(at));
            }
        }
        return new CheckReport(
                Math.max(replicaA.size(), replicaB.size()), replicaA.size() + replicaB.size(), tally.findings());
    }

    /** The sequence numbers 1..prefix of one sender delivered at one process, plus any delivered beyond a hole. */
    private static final class DeliveredPrefix {
        static final DeliveredPrefix NONE = new DeliveredPrefix();
        long prefix;
        final Set<Long> beyond = new HashSet<>();

        void add(long sequence) {
            if (sequence != prefix + 1) {
                beyond.add(sequence);
                return;
            }
            prefix = sequence;
            while (beyond.remove(prefix + 1)) {
                prefix++;
            }
        }
    }

    private record Sent(Message message, int position) {}
}
