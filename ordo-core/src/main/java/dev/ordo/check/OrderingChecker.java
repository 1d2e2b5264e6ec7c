package dev.ordo.check;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Decides, from what was sent and what was received, whether delivery was exact and ordered:
 * reports {@link Anomaly#LOST lost}, {@link Anomaly#DUPLICATED duplicated},
 * {@link Anomaly#REORDERED reordered within a key}, {@link Anomaly#GAP gaps} in a source's
 * sequence and {@link Anomaly#UNEXPECTED unexpected} messages, each with its count and first
 * example.
 *
 * <p>The rules, so that a report can be read without this code:
 * <ul>
 *   <li>Messages are matched by {@link Message#id()}. A second send of the same id is ignored
 *       (a producer retry).</li>
 *   <li>Per key, the intended order is the order of the sends. A receipt is REORDERED when a
 *       message of its key sent later was already received.</li>
 *   <li>Per source, a receipt with sequence {@code s} is a GAP when {@code s} is above the
 *       highest sequence received so far plus one (or, for the first receipt, above the lowest
 *       sequence sent): messages in between were skipped at that moment.</li>
 *   <li>Only the first receipt of an id takes part in the order and gap rules.</li>
 * </ul>
 *
 * <pre>{@code
 * CheckReport report = OrderingChecker.check(history.sent(), history.received());
 * assertThat(report.isClean()).as(report.summary()).isTrue();
 * }</pre>
 */
public final class OrderingChecker {

    private OrderingChecker() {}

    /** Checks receipts against sends; both lists in the order the events happened. */
    public static CheckReport check(List<Message> sent, List<Message> received) {
        Map<String, Sent> sentById = new HashMap<>(sent.size() * 2);
        Map<String, Integer> sendsPerKey = new HashMap<>();
        Map<String, Long> lowestSequence = new HashMap<>();
        for (Message m : sent) {
            if (sentById.containsKey(m.id())) {
                continue;
            }
            int position = sendsPerKey.merge(m.key(), 1, Integer::sum) - 1;
            sentById.put(m.id(), new Sent(m, position));
            if (m.sequence() >= 0) {
                lowestSequence.merge(m.source(), m.sequence(), Math::min);
            }
        }

        Tally tally = new Tally();
        Set<String> seen = new HashSet<>(received.size() * 2);
        Map<String, Sent> latestPerKey = new HashMap<>();
        Map<String, Long> highestPerSource = new HashMap<>();
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
                Long highest = highestPerSource.get(r.source());
                long expected = highest == null ? lowestSequence.getOrDefault(r.source(), r.sequence()) : highest + 1;
                if (r.sequence() > expected) {
                    tally.add(
                            Anomaly.GAP,
                            () -> "source " + r.source() + " skipped sequence " + expected
                                    + (r.sequence() - 1 > expected ? ".." + (r.sequence() - 1) : "") + " before " + r);
                }
                if (highest == null || r.sequence() > highest) {
                    highestPerSource.put(r.source(), r.sequence());
                }
            }
        }
        for (Message m : sent) {
            if (!seen.contains(m.id()) && sentById.get(m.id()).message == m) {
                tally.add(Anomaly.LOST, () -> m + " was sent and never received");
            }
        }
        return new CheckReport(sentById.size(), received.size(), tally.findings());
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

    /** Counts per anomaly with the first example of each. */
    private static final class Tally {
        private final Map<Anomaly, long[]> counts = new EnumMap<>(Anomaly.class);
        private final Map<Anomaly, String> firsts = new EnumMap<>(Anomaly.class);

        /** Counts one occurrence; the example is only described for the first. */
        void add(Anomaly anomaly, Supplier<String> example) {
            counts.computeIfAbsent(anomaly, a -> new long[1])[0]++;
            if (!firsts.containsKey(anomaly)) {
                firsts.put(anomaly, example.get());
            }
        }

        List<Finding> findings() {
            List<Finding> findings = new ArrayList<>();
            for (Anomaly a : Anomaly.values()) {
                if (counts.containsKey(a)) {
                    findings.add(new Finding(a, counts.get(a)[0], firsts.get(a)));
                }
            }
            return findings;
        }
    }
}
