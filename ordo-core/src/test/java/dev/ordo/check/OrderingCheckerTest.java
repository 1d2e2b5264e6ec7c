package dev.ordo.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordo.causal.VectorClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OrderingCheckerTest {

    private final List<Message> sent = new ArrayList<>();

    OrderingCheckerTest() {
        // Two keys from one producer, interleaved: a0 b1 a2 b3 a4 b5
        for (int s = 0; s < 6; s++) {
            sent.add(msg(s));
        }
    }

    private static Message msg(int sequence) {
        return new Message(sequence % 2 == 0 ? "a" : "b", "p", sequence, "m" + sequence);
    }

    private static List<Message> receive(int... sequences) {
        List<Message> received = new ArrayList<>();
        for (int s : sequences) {
            received.add(msg(s));
        }
        return received;
    }

    @Test
    void aCleanHistoryReportsNothing() {
        CheckReport report = OrderingChecker.check(sent, receive(0, 1, 2, 3, 4, 5));
        assertThat(report.isClean()).as(report.summary()).isTrue();
        assertThat(report.findings()).isEmpty();
        assertThat(report.sent()).isEqualTo(6);
        assertThat(report.received()).isEqualTo(6);
    }

    @Test
    void reorderingAcrossKeysIsNotAnAnomalyButWithinAKeyItIs() {
        CheckReport acrossKeys = OrderingChecker.check(sent, receive(1, 0, 3, 2, 5, 4));
        assertThat(acrossKeys.count(Anomaly.REORDERED)).isZero();

        CheckReport withinKey = OrderingChecker.check(sent, receive(0, 1, 4, 3, 2, 5));
        assertThat(withinKey.count(Anomaly.REORDERED)).isEqualTo(1);
        assertThat(withinKey.first(Anomaly.REORDERED)).startsWith("m2 (key a").contains("arrived after m4");
    }

    @Test
    void findsLostMessages() {
        CheckReport report = OrderingChecker.check(sent, receive(0, 1, 2, 4, 5));
        assertThat(report.count(Anomaly.LOST)).isEqualTo(1);
        assertThat(report.first(Anomaly.LOST)).startsWith("m3 ");
    }

    @Test
    void findsDuplicates() {
        CheckReport report = OrderingChecker.check(sent, receive(0, 1, 1, 2, 3, 4, 5, 5, 5));
        assertThat(report.count(Anomaly.DUPLICATED)).isEqualTo(3);
        assertThat(report.first(Anomaly.DUPLICATED)).startsWith("m1 ");
        assertThat(report.count(Anomaly.REORDERED))
                .as("duplicates do not count as reorders")
                .isZero();
    }

    @Test
    void aLostADuplicatedAndAReorderedMessageAreCountedOnceEachAndNotAsGaps() {
        // m1 is lost, m0 arrives twice, m3 arrives after m5 of its key
        CheckReport report = OrderingChecker.check(sent, receive(0, 0, 2, 4, 5, 3));
        assertThat(report.findings())
                .extracting(Finding::anomaly, Finding::count)
                .containsExactly(tuple(Anomaly.LOST, 1L), tuple(Anomaly.DUPLICATED, 1L), tuple(Anomaly.REORDERED, 1L));
    }

    @Test
    void aGapIsAHoleInASourcesSequenceThatNoSendAccountsFor() {
        // The producer's numbers skip 3 and 4: nothing lost, nothing late, but a resequencer would wait.
        List<Message> withHole = List.of(msg(0), msg(1), msg(2), msg(5), msg(6));
        CheckReport report = OrderingChecker.check(withHole, withHole);
        assertThat(report.count(Anomaly.GAP)).isEqualTo(1);
        assertThat(report.first(Anomaly.GAP))
                .isEqualTo("source p never sent nor delivered sequence 3..4 (between 2 and 5)");
        assertThat(report.count(Anomaly.LOST)).isZero();
        assertThat(report.count(Anomaly.REORDERED)).isZero();
    }

    @Test
    void aMessageOvertakenByAnotherKeyIsNeitherReorderedNorAGap() {
        CheckReport report = OrderingChecker.check(sent, receive(1, 0, 3, 2, 5, 4));
        assertThat(report.isClean()).as(report.summary()).isTrue();
    }

    @Test
    void aLateMessageCountsOnceHoweverManyOvertookIt() {
        // m0 of key a arrives after m2 and m4 of its key.
        CheckReport report = OrderingChecker.check(sent, receive(1, 2, 3, 4, 0, 5));
        assertThat(report.findings())
                .extracting(Finding::anomaly, Finding::count)
                .containsExactly(tuple(Anomaly.REORDERED, 1L));
    }

    @Test
    void findsUnexpectedMessages() {
        List<Message> received = receive(0, 1, 2, 3, 4, 5);
        received.add(new Message("a", "p", 6, "m6"));
        received.add(new Message("b", "p", 0, "m0"));
        CheckReport report = OrderingChecker.check(sent, received);
        assertThat(report.count(Anomaly.UNEXPECTED)).isEqualTo(2);
        assertThat(report.first(Anomaly.UNEXPECTED)).contains("m6").contains("never sent");
    }

    @Test
    void theReportIsAvailableAsJson() throws Exception {
        CheckReport report = OrderingChecker.check(sent, receive(0, 1, 1, 2, 4, 5));
        JsonNode json = new ObjectMapper().readTree(report.toJson());
        assertThat(json.get("clean").asBoolean()).isFalse();
        assertThat(json.get("sent").asLong()).isEqualTo(6);
        assertThat(json.get("received").asLong()).isEqualTo(6);
        assertThat(json.get("severity").asText()).isEqualTo("CRITICAL");
        assertThat(json.get("findings"))
                .extracting(
                        f -> f.get("anomaly").asText() + " " + f.get("severity").asText())
                .containsExactly("LOST CRITICAL", "DUPLICATED WARNING");
        assertThat(json.get("findings").get(0).get("count").asLong()).isEqualTo(1);
        assertThat(json.get("findings").get(0).get("first").asText()).startsWith("m3 ");
        assertThat(new ObjectMapper()
                        .readTree(OrderingChecker.check(sent, sent).toJson())
                        .get("severity")
                        .isNull())
                .as("a clean report has no severity")
                .isTrue();
    }

    @Test
    void everyAnomalyHasASeverityAndTheSummaryShowsEachAndTheWorst() {
        assertThat(Anomaly.values()).allSatisfy(a -> assertThat(a.severity()).isNotNull());
        assertThat(Anomaly.LOST.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(Anomaly.REORDERED.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(Anomaly.DUPLICATED.severity()).isEqualTo(Severity.WARNING);
        assertThat(Anomaly.TIMESTAMP_ANOMALY.severity()).isEqualTo(Severity.INFO);

        CheckReport duplicatesOnly = OrderingChecker.check(sent, receive(0, 1, 1, 2, 3, 4, 5));
        assertThat(duplicatesOnly.severity()).contains(Severity.WARNING);
        assertThat(duplicatesOnly.summary())
                .isEqualTo("6 sent, 7 received, worst: warning" + System.lineSeparator()
                        + "  DUPLICATED (warning): 1, first: m1 (key b, source p, seq 1) was received again");
        CheckReport lostToo = OrderingChecker.check(sent, receive(0, 1, 1, 2, 4, 5));
        assertThat(lostToo.severity()).contains(Severity.CRITICAL);
        assertThat(lostToo.summary())
                .startsWith("6 sent, 6 received, worst: critical")
                .contains("LOST (critical): 1");
        assertThat(OrderingChecker.check(sent, sent).severity()).isEmpty();
    }

    @Test
    void historyRecordsFromManyThreadsAndChecks() throws Exception {
        History history = new History();
        sent.forEach(history::sent);
        Thread[] threads = new Thread[3];
        for (int t = 0; t < threads.length; t++) {
            int start = t * 2;
            threads[t] = new Thread(() -> {
                history.received(msg(start));
                history.received(msg(start + 1));
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        CheckReport report = history.check();
        assertThat(report.count(Anomaly.LOST)).isZero();
        assertThat(report.count(Anomaly.DUPLICATED)).isZero();
        assertThat(report.received()).isEqualTo(6);
    }

    @Test
    void findsACausalViolationWhenAReplyIsDeliveredBeforeItsQuestion() {
        VectorClock question = VectorClock.of(Map.of("a", 1L));
        VectorClock reply = VectorClock.of(Map.of("a", 1L, "b", 1L));
        List<CausalDelivery> good =
                List.of(new CausalDelivery("c", "q", "a", question), new CausalDelivery("c", "r", "b", reply));
        assertThat(OrderingChecker.checkCausal(good).isClean()).isTrue();

        List<CausalDelivery> bad = List.of(
                new CausalDelivery("c", "r", "b", reply), new CausalDelivery("c", "q", "a", question),
                new CausalDelivery("d", "q", "a", question), new CausalDelivery("d", "q", "a", question));
        CheckReport report = OrderingChecker.checkCausal(bad);
        assertThat(report.count(Anomaly.CAUSAL_VIOLATION)).isEqualTo(1);
        assertThat(report.first(Anomaly.CAUSAL_VIOLATION))
                .isEqualTo("r from b {a=1, b=1} was delivered at c before message #1 of a that it depends on");
        assertThat(report.count(Anomaly.DUPLICATED)).isEqualTo(1);
    }

    @Test
    void findsTotalOrderDisagreementsButNotAReplicaThatIsBehind() {
        assertThat(OrderingChecker.compareTotalOrder(List.of("x", "y", "z"), List.of("x", "y"))
                        .isClean())
                .isTrue();
        CheckReport report = OrderingChecker.compareTotalOrder(List.of("x", "y", "z"), List.of("x", "z", "y"));
        assertThat(report.count(Anomaly.TOTAL_ORDER_DISAGREEMENT)).isEqualTo(2);
        assertThat(report.first(Anomaly.TOTAL_ORDER_DISAGREEMENT))
                .isEqualTo("position 1: replica A has y, replica B has z");
    }
}
