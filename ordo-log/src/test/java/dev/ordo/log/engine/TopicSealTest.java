package dev.ordo.log.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ordo.engine.Acknowledgement;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.Serdes;
import dev.ordo.log.consumer.OrdoConsumer;
import dev.ordo.log.producer.OrdoProducer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sealed topic takes no more records, from any producer, also after a restart; readers read to its end. */
class TopicSealTest {

    @TempDir
    Path dir;

    @Test
    void everyRecordAcknowledgedBeforeTheSealIsBelowItsEndsAndEverySendAfterItFails() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            log.createTopic("t", TopicSpec.partitions(3));
            OrdoProducer<String, String> producer = OrdoProducer.builder(log, "t", Serdes.string(), Serdes.string())
                    .build();
            List<CompletableFuture<Acknowledgement>> before = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                before.add(producer.send("k" + i, "v" + i)); // in flight while the seal pauses the producer
            }

            long[] ends = log.seal("t", "moved elsewhere");

            for (CompletableFuture<Acknowledgement> ack : before) {
                Acknowledgement a = ack.join();
                assertThat(a.offset()).isLessThan(ends[a.partition()]);
            }
            assertThat(ends[0] + ends[1] + ends[2]).isEqualTo(500);
            assertThatThrownBy(() -> producer.send("k", "after").join())
                    .isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(TopicSealedException.class)
                    .hasMessageContaining("topic 't' is sealed and takes no more records: moved elsewhere");
            assertThatThrownBy(() -> log.append("t", bytes("k"), bytes("direct")))
                    .isInstanceOf(TopicSealedException.class);
            assertThat(log.seal("t", "again"))
                    .as("sealing again changes nothing")
                    .containsExactly(ends);
            assertThat(log.sealed("t")).hasValue("moved elsewhere");
            producer.close();
        }
    }

    @Test
    void theSealSurvivesARestartAndGoesWithTheTopic() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            log.createTopic("t", TopicSpec.partitions(1));
            log.append("t", bytes("k"), bytes("v"));
            log.seal("t", "moved elsewhere");
        }
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            assertThat(log.sealed("t")).hasValue("moved elsewhere");
            assertThatThrownBy(() -> log.append("t", bytes("k"), bytes("v"))).isInstanceOf(TopicSealedException.class);
            assertThat(log.read("t", 0, 0, 1 << 20)).hasSize(1);
            log.deleteTopic("t");
            log.createTopic("t", TopicSpec.partitions(1));
            assertThat(log.sealed("t")).isEmpty();
            assertThat(log.append("t", bytes("k"), bytes("v")).offset()).isZero();
        }
    }

    @Test
    void committedOffsetsNameEveryGroupOfTheTopicRunningOrNot() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            log.createTopic("t", TopicSpec.partitions(2));
            for (int i = 0; i < 10; i++) {
                log.append("t", bytes("k" + i), bytes("v"));
            }
            try (RecordConsumer stopped = consumer(log, "stopped")) {
                assertThat(stopped.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            }
            try (RecordConsumer running = consumer(log, "running")) {
                assertThat(running.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
                Map<String, Map<Integer, Long>> committed = log.committedOffsets("t");
                long ends = log.endOffset("t", 0) + log.endOffset("t", 1);
                assertThat(committed).containsOnlyKeys("running", "stopped");
                assertThat(committed.get("stopped").values().stream()
                                .mapToLong(Long::longValue)
                                .sum())
                        .isEqualTo(ends);
            }
        }
    }

    @Test
    void alteredGroupOffsetsAreWhereItsNextMemberStartsAndAreRefusedWhileItHasOne() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(dir)) {
            log.createTopic("t", TopicSpec.partitions(2));
            for (int i = 0; i < 10; i++) {
                log.append("t", bytes("k" + i), bytes("v"));
            }
            try (RecordConsumer ahead = consumer(log, "moved")) {
                assertThat(ahead.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
                assertThatThrownBy(() -> log.alterGroupOffsets("t", "moved", Map.of(0, 1L)))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("group 'moved' on topic 't' has 1 member(s) now");
            }
            log.alterGroupOffsets("t", "moved", Map.of(0, 1L, 1, 0L)); // behind what it committed

            assertThat(log.committedOffsets("t").get("moved")).containsExactlyInAnyOrderEntriesOf(Map.of(0, 1L, 1, 0L));
            List<Long> handled = new ArrayList<>();
            try (RecordConsumer next = OrdoConsumer.builder(log, "t")
                    .group("moved")
                    .handler(r -> {
                        synchronized (handled) {
                            handled.add(r.partition() * 100L + r.offset());
                        }
                    })
                    .start()) {
                assertThat(next.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            }
            long ends = log.endOffset("t", 0) + log.endOffset("t", 1);
            assertThat(handled).hasSize((int) ends - 1).doesNotContain(0L);
            assertThatThrownBy(() -> log.alterGroupOffsets("t", "moved", Map.of(2, 0L)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("partition must be in [0, 2) of topic 't', was 2");
            assertThatThrownBy(() -> log.alterGroupOffsets("t", "moved", Map.of(0, -1L)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("offset of partition 0 must be >= 0, was -1");
        }
    }

    private static RecordConsumer consumer(EmbeddedLog log, String group) {
        return OrdoConsumer.builder(log, "t").group(group).handler(r -> {}).start();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
