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

    private OrderingChecker() {
    }

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
                tally.add(Anomaly.REORDERED, () -> r + " (send #" + s.position + " of its key) arrived after "
                        + latest.message + " (send #" + latest.position + ")");
            } else {
                latestPerKey.put(r.key(), s);
            }
            if (r.sequence() >= 0) {
                Long highest = highestPerSource.get(r.source());
                long expected = highest == null ? lowestSequence.getOrDefault(r.source(), r.sequence()) : highest + 1;
                if (r.sequence() > expected) {
                    tally.add(Anomaly.GAP, () -> "source " + r.source() + " skipped sequence " + expected
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

    private record Sent(Message message, int position) {
    }

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
