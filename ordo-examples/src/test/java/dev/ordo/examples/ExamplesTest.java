package dev.ordo.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ordo.ManualTicker;
import dev.ordo.check.Anomaly;
import dev.ordo.check.CheckReport;
import dev.ordo.engine.OrdoHeaders;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.Serdes;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.time.TimedEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each example does what the README and docs/ say it does: the embedded ones run end to end in a
 * temporary directory.
 */
class ExamplesTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void theEmbeddedQuickstartComputesEachAccountsBalanceThroughTheLog() throws Exception {
        assertThat(EmbeddedQuickstart.balances(dir)).isEqualTo(Map.of("ACC-1", 700L, "ACC-2", 50L));
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            assertThat(log.listTopics()).containsExactly("ledger");
            assertThat(log.describe("ledger").partitions()).hasSize(8);
        }
    }

    @Test
    void theAuditedGroupLeavesAnIntactChainOfOneEntryPerRecord() throws Exception {
        assertThat(AuditExample.audited(dir).summary())
                .startsWith("OK: 3 entries, head ")
                .endsWith(", 1 checkpoint matches");
    }

    @Test
    void theResequencerReleasesEachTellersOperationsInOrderAndOnce() {
        assertThat(ResequencerExample.applied()).containsExactly("+1000", "-300");
        assertThat(ResequencerExample.afterRestart()).containsExactly("-300");
    }

    @Test
    void strictOrderAsksAgainHaltsTheTellerAndReleasesOnlyOnAnExplicitSkip() {
        List<String> asked = new ArrayList<>();
        List<String> applied = ResequencerExample.strict(
                new ManualTicker(), (teller, from, to) -> asked.add(teller + " " + from + "-" + to));
        assertThat(asked).isNotEmpty().allMatch(request -> request.equals("teller-1 0-0"));
        assertThat(applied).as("released only once 0 was given up on").containsExactly("-300");
    }

    @Test
    void theEventTimeReordererReleasesReadingsInTheOrderTakenAndSetsTheLateOneAside() {
        EventTimeExample.Outcome outcome = EventTimeExample.run();
        assertThat(outcome.inOrder())
                .extracting(TimedEvent::timestamp)
                .hasSize(5)
                .isSorted();
        assertThat(outcome.inOrder()).extracting(TimedEvent::payload).containsExactly(20.1, 19.8, 20.5, 20.2, 21.0);
        assertThat(outcome.late()).extracting(TimedEvent::payload).containsExactly(19.5);
    }

    @Test
    void crdtDepositsSkipTheOrderingAndReplicasAndRegionsAgree() throws Exception {
        assertThat(CrdtExample.balances(dir)).isEqualTo(Map.of("ACC-1", 800L));
        assertThat(CrdtExample.carts()).containsExactly(Set.of("sku-7", "sku-9"), Set.of("sku-7", "sku-9"));
        List<String> address = CrdtExample.address();
        assertThat(address.get(0)).as("both replicas resolve alike").isEqualTo(address.get(1));
        assertThat(address.get(0)).isIn("Harbour Rd 2", "Main Street 1"); // the two concurrent writes
    }

    @Test
    void causalAndTotalOrderDeliverNothingBeforeWhatItDependsOn() {
        assertThat(CausalOrderExample.timeline()).containsExactly("alice: lunch?", "bob: yes!");
        assertThat(CausalOrderExample.applied()).containsExactly("create-7: create", "update-7: rename to Ordo");
        assertThat(CausalOrderExample.agreedOrder()).containsExactly("node-b: x = 2", "node-a: x = 1");
    }

    @Test
    void replicasWithTheTotalOrderApplyEveryCommandInOneOrder() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            log.createTopic("commands", TopicSpec.partitions(3));
            List<String> first = new CopyOnWriteArrayList<>();
            List<String> second = new CopyOnWriteArrayList<>();
            try (TimestampOracleExample.Replica a = TimestampOracleExample.replica(log, "1", first::add);
                    TimestampOracleExample.Replica b = TimestampOracleExample.replica(log, "2", second::add)) {
                await().atMost(WAIT).until(() -> first.size() == 2 && second.size() == 2);
                assertThat(first).containsExactlyInAnyOrder("x = 1", "x = 2");
                assertThat(second).as("in the same order").isEqualTo(first);
                assertThat(a.consumer().stats().heartbeats()).isPositive();
            }
        }
    }

    @Test
    void theKeyOrderedExecutorRunsEachAccountsTasksInSubmissionOrder() {
        Map<String, List<Integer>> ran = KeyOrderedExample.perAccount();
        assertThat(ran).hasSize(10);
        ran.values().forEach(operations -> assertThat(operations).hasSize(100).isSorted());
        assertThat(KeyOrderedExample.commitPoint()).isEqualTo(101);
    }

    @Test
    void theBudgetedPipelineHandlesEveryOperationOnce() {
        Map<String, Long> balances = BackpressureExample.balances();
        assertThat(balances).hasSize(100);
        assertThat(balances.values()).containsOnly(1_000L);
    }

    @Test
    void aParkedAccountWaitsWhileOthersGoOnAndFollowsOnceResumed() throws Exception {
        Ledger ledger = new Ledger();
        ledger.freeze("ACC-2");
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            log.createTopic("ledger", TopicSpec.partitions(4));
            FailingRecordsExample.sendSome(log);
            try (RecordConsumer consumer = FailingRecordsExample.start(log, ledger)) {
                await().atMost(WAIT)
                        .until(() -> consumer.parked().size() == 1
                                && ledger.balances().size() == 2);
                assertThat(consumer.parked().get(0).key()).isEqualTo("ACC-2");
                assertThat(consumer.parked().get(0).waitingBehind()).isEqualTo(2);
                assertThat(consumer.lag().records()).isEqualTo(3);

                FailingRecordsExample.review(consumer, ledger);
                assertThat(consumer.parked()).as("still frozen: skipped").isEmpty();
                assertThat(consumer.stats().skipped()).isEqualTo(1);

                ledger.unfreeze("ACC-2");
                assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
            }
        }
        assertThat(ledger.balances()).isEqualTo(Map.of("ACC-1", 30L, "ACC-2", 20L, "ACC-3", 30L));
    }

    @Test
    void aResumedRecordIsAppliedAndItsKeysLaterRecordsFollow() throws Exception {
        Ledger ledger = new Ledger();
        ledger.freeze("ACC-2");
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            log.createTopic("ledger", TopicSpec.partitions(4));
            FailingRecordsExample.sendSome(log);
            try (RecordConsumer consumer = FailingRecordsExample.start(log, ledger)) {
                await().atMost(WAIT).until(() -> consumer.parked().size() == 1);
                ledger.unfreeze("ACC-2");
                FailingRecordsExample.review(consumer, ledger);
                assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
                assertThat(consumer.stats().skipped()).isZero();
            }
        }
        assertThat(ledger.balances()).isEqualTo(Map.of("ACC-1", 30L, "ACC-2", 30L, "ACC-3", 30L));
    }

    @Test
    void deadLetteredRecordsLandInTheDeadLetterTopicWithTheirError() throws Exception {
        Ledger ledger = new Ledger();
        ledger.freeze("ACC-2");
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            log.createTopic("ledger", TopicSpec.partitions(4));
            FailingRecordsExample.sendSome(log);
            try (RecordConsumer consumer = FailingRecordsExample.startWithDeadLetters(log, ledger, false)) {
                assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
                assertThat(consumer.stats().deadLettered()).isEqualTo(3);
            }
            List<String> errors = new CopyOnWriteArrayList<>();
            try (RecordConsumer dlq = OrdoConsumer.builder(log, "ledger.dlq", Serdes.string(), Serdes.json(Txn.class))
                    .group("dlq-reader")
                    .handler(r -> errors.add(r.key() + ": " + r.headers().lastString(OrdoHeaders.DEAD_LETTER_ERROR)))
                    .start()) {
                assertThat(dlq.awaitCaughtUp(WAIT)).isTrue();
            }
            assertThat(errors).hasSize(3).allMatch(e -> e.contains("ACC-2: java.lang.IllegalStateException"));
        }
        assertThat(ledger.balances()).isEqualTo(Map.of("ACC-1", 30L, "ACC-3", 30L));
    }

    @Test
    void theCommittedStateAppliesEachRecordOnceAcrossRestarts() throws Exception {
        Path data = Files.createDirectory(dir.resolve("data"));
        Path state = dir.resolve("balances.json");
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            EmbeddedLogExample.createTopic(log);
            EmbeddedLogExample.send(log, List.of(new Txn(1000), new Txn(-300)));
            assertThat(EmbeddedLogExample.balancesCommittedWithOffsets(log, state))
                    .isEqualTo(Map.of("ACC-1", 700L));
        }
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            EmbeddedLogExample.send(log, List.of(new Txn(50)));
            assertThat(EmbeddedLogExample.balancesCommittedWithOffsets(log, state))
                    .as("restored, and only the new record applied")
                    .isEqualTo(Map.of("ACC-1", 750L));
            assertThat(EmbeddedLogExample.replayLastHour(log)).hasSize(3);
            assertThat(log.describe("ledger").fsync()).isEqualTo("every-batch");
        }
    }

    @Test
    void aTopicThatGrowsAndShrinksUnderItsClientsKeepsEveryKeysOrder() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            Map<String, List<Integer>> perKey = PartitionsInMotionExample.run(log);
            assertThat(perKey).hasSize(100);
            perKey.values().forEach(values -> assertThat(values).hasSize(30).isSorted());
            assertThat(log.layout("orders").layouts()).hasSize(3);
        }
    }

    @Test
    void theSameApplicationRunsOnTheEmbeddedEngine() throws Exception {
        Ledger ledger = new Ledger();
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            log.createTopic("ledger", TopicSpec.partitions(8));
            TwoEnginesExample.run(log, null, ledger);
        }
        assertThat(ledger.balances()).isEqualTo(Map.of("ACC-1", 700L, "ACC-2", 50L));
    }

    @Test
    void metricsMonitorAndCheckerSeeWhatHappened() throws Exception {
        Ledger ledger = new Ledger();
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            log.createTopic("ledger", TopicSpec.partitions(4));
            FailingRecordsExample.sendSome(log);
            String scrape = MonitoringExample.scrapeAfterConsuming(log, ledger);
            assertThat(scrape)
                    .contains("ordo_log_end_offset{")
                    .contains("ordo_consumer_lag{")
                    .contains("ordo_consumer_parked_keys{");
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        assertThat(MonitoringExample.violations(registry)).containsExactly("GAP on teller-1", "REORDER on teller-1");
        assertThat(registry.get("ordo.ordering.violations").counters()).isNotEmpty();

        Path history = dir.resolve("history.jsonl");
        CheckReport report = MonitoringExample.verdict(history);
        assertThat(report.count(Anomaly.REORDERED)).isEqualTo(1);
        assertThat(report.isClean()).isFalse();
        assertThat(history).isNotEmptyFile();
    }
}
