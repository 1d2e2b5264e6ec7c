package dev.ordo.log.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.check.Anomaly;
import dev.ordo.check.CheckReport;
import dev.ordo.check.History;
import dev.ordo.check.Message;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.Serdes;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsumerGroupTest {

    @TempDir
    Path data;

    @Test
    void membersJoiningAndLeavingMidStreamShareTheWorkWithoutLossDuplicatesOrPerKeyReordering() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("t", TopicSpec.partitions(6));
            History history = new History();
            AtomicInteger handled = new AtomicInteger();
            List<OrdoConsumer> members = new ArrayList<>();
            Random random = new Random(7);
            int total = 6_000;
            try (OrdoProducer<String, String> producer = OrdoProducer.builder(
                            log, "t", Serdes.string(), Serdes.string())
                    .build()) {
                for (int i = 0; i < total; i++) {
                    String key = "k" + (i % 40);
                    history.sent(new Message(key, key, -1, String.valueOf(i)));
                    producer.send(key, String.valueOf(i));
                    if (i % 1_000 == 0) {
                        // Every thousand records a member joins, and from the third on the oldest leaves.
                        members.add(
                                start(log, history, handled, random.nextBoolean() ? Ordering.KEY : Ordering.PARTITION));
                        if (members.size() >= 3) {
                            members.remove(0).close();
                        }
                    }
                }
            }
            members.add(start(log, history, handled, Ordering.KEY));
            assertThat(members).hasSize(3);
            await().atMost(Duration.ofSeconds(30)).until(() -> handled.get() >= total);
            // Once the hand-overs settle, the three remaining members split the six partitions, two each.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Set<Integer> assigned = new HashSet<>();
                for (OrdoConsumer c : members) {
                    assertThat(c.assignment()).hasSize(6 / members.size());
                    assigned.addAll(c.assignment());
                }
                assertThat(assigned).hasSize(6);
            });
            for (OrdoConsumer c : members) {
                c.close();
            }
            CheckReport report = history.check();
            assertThat(report.count(Anomaly.LOST)).as(report.summary()).isZero();
            assertThat(report.count(Anomaly.DUPLICATED)).as(report.summary()).isZero();
            assertThat(report.count(Anomaly.REORDERED)).as(report.summary()).isZero();
            try (OrdoConsumer<String, String> last = OrdoConsumer.builder(log, "t", Serdes.string(), Serdes.string())
                    .group("g")
                    .handler(r -> {})
                    .start()) {
                for (int p = 0; p < 6; p++) {
                    assertThat(last.committedOffset(p))
                            .isEqualTo(log.describe("t").partitions().get(p).nextOffset());
                }
            }
        }
    }

    private static OrdoConsumer start(EmbeddedLog log, History history, AtomicInteger handled, Ordering ordering)
            throws Exception {
        return OrdoConsumer.builder(log, "t", Serdes.string(), Serdes.string())
                .group("g")
                .ordering(ordering)
                .concurrency(4)
                .handler(r -> {
                    synchronized (history) { // the order of handling across members, as it happened
                        history.received(new Message(r.key(), r.key(), -1, r.value()));
                    }
                    handled.incrementAndGet();
                })
                .start();
    }

    @Test
    void aMemberThatPinsAPartitionOwnsItAndAnotherCannotPinItToo() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("t", TopicSpec.partitions(4));
            try (OrdoConsumer<String, String> pinning = OrdoConsumer.builder(log, "t", Serdes.string(), Serdes.string())
                            .group("g")
                            .pin(Set.of(0, 1))
                            .handler(r -> {})
                            .start();
                    OrdoConsumer<String, String> other = OrdoConsumer.builder(
                                    log, "t", Serdes.string(), Serdes.string())
                            .group("g")
                            .handler(r -> {})
                            .start()) {
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> pinning.assignment().equals(Set.of(0, 1))
                                && other.assignment().equals(Set.of(2, 3)));
                assertThatThrownBy(() -> OrdoConsumer.builder(log, "t", Serdes.string(), Serdes.string())
                                .group("g")
                                .pin(Set.of(1))
                                .handler(r -> {})
                                .start())
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("partition 1 of topic 't' is pinned to another member");
            }
        }
    }

    @Test
    void aConsumerWithACommittedStateCannotShareItsGroup() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("t", TopicSpec.partitions(2));
            JsonSnapshotState<OrdoConsumerTest.AppliedValues> state = new JsonSnapshotState<>(
                    data.resolve("s.json"), OrdoConsumerTest.AppliedValues.class, OrdoConsumerTest.AppliedValues::new);
            try (OrdoConsumer<String, String> first = OrdoConsumer.builder(log, "t", Serdes.string(), Serdes.string())
                    .group("g")
                    .committedState(state)
                    .handler(r -> {})
                    .start()) {
                assertThatThrownBy(() -> OrdoConsumer.builder(log, "t", Serdes.string(), Serdes.string())
                                .group("g")
                                .handler(r -> {})
                                .start())
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("cannot be shared");
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> first.assignment().size() == 2);
            }
        }
    }
}
