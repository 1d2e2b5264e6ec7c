package dev.ordo.log.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.engine.Acknowledgement;
import dev.ordo.log.storage.Directories;
import dev.ordo.log.storage.FsyncPolicy;
import dev.ordo.log.storage.HeldDeletions;
import dev.ordo.partition.Murmur2;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedLogTest {

    @TempDir
    Path data;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void perPartitionMetersFollowTopicsCreatedAndDeletedAndGoWithTheEngine() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("ledger", TopicSpec.partitions(2));
            log.bindTo(registry);
            log.createTopic("audit", TopicSpec.partitions(1)); // after binding: its meters come too
            for (int i = 0; i < 10; i++) {
                log.append("ledger", b("ACC-" + i), b("+" + i));
            }
            log.append("audit", b("k"), b("v"));
            double ledgerEnd = 0;
            for (int p = 0; p < 2; p++) {
                ledgerEnd += gauge(registry, "ordo.log.end.offset", "ledger", p);
                assertThat(gauge(registry, "ordo.log.size", "ledger", p))
                        .isEqualTo(log.partition("ledger", p).sizeInBytes());
                assertThat(gauge(registry, "ordo.log.segments", "ledger", p)).isEqualTo(1);
                assertThat(gauge(registry, "ordo.log.start.offset", "ledger", p))
                        .isZero();
                assertThat(gauge(registry, "ordo.log.offline", "ledger", p)).isZero();
            }
            assertThat(ledgerEnd).isEqualTo(10);
            assertThat(gauge(registry, "ordo.log.end.offset", "audit", 0)).isEqualTo(1);
            assertThat(registry.find("ordo.log.size").gauge().getId().getBaseUnit())
                    .isEqualTo("bytes");

            log.deleteTopic("audit");
            assertThat(registry.find("ordo.log.end.offset")
                            .tag("topic", "audit")
                            .gauges())
                    .isEmpty();
            assertThat(registry.find("ordo.log.end.offset")
                            .tag("topic", "ledger")
                            .gauges())
                    .hasSize(2);
        }
        assertThat(registry.find("ordo.log.end.offset").gauges())
                .as("removed when the engine closes")
                .isEmpty();
    }

    private static double gauge(SimpleMeterRegistry registry, String name, String topic, int partition) {
        return registry.get(name)
                .tag("topic", topic)
                .tag("partition", String.valueOf(partition))
                .gauge()
                .value();
    }

    @Test
    void topicsAreCreatedListedDescribedDeletedAndSurviveAReopen() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("ledger", TopicSpec.partitions(4).fsync(FsyncPolicy.interval(Duration.ofMillis(5))));
            log.createTopic("audit", TopicSpec.partitions(1));
            assertThat(log.listTopics()).containsExactly("audit", "ledger");
            log.append("ledger", b("ACC-1"), b("+500"));
        }
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            TopicDescription ledger = log.describe("ledger");
            assertThat(ledger.fsync()).isEqualTo("interval:5ms");
            assertThat(ledger.partitions()).hasSize(4);
            assertThat(ledger.partitions().stream()
                            .mapToLong(TopicDescription.PartitionState::nextOffset)
                            .sum())
                    .isEqualTo(1);
            log.deleteTopic("audit");
            assertThat(log.listTopics()).containsExactly("ledger");
            assertThat(Files.exists(data.resolve("audit-0"))).isFalse();
        }
    }

    /**
     * Deleting a topic renames its partitions and frees their blocks in the background (seconds for
     * large topics), so that the call, which holds the engine's admin lock, returns at once; closing
     * the engine waits for it, and an open finishes a deletion a stop cut short.
     */
    @Test
    void deletingATopicReturnsBeforeItsDataIsFreedAndTheDataGoesLater() throws Exception {
        // Resources close in reverse: the deleter is released first, then the engine waits for it.
        try (EmbeddedLog log = EmbeddedLog.open(data);
                HeldDeletions held = HeldDeletions.hold(log.deleter())) {
            log.createTopic("audit", TopicSpec.partitions(2));
            for (int i = 0; i < 20; i++) {
                log.append("audit", b("k" + i), b("old-" + i));
            }
            log.deleteTopic("audit");
            assertThat(log.listTopics()).isEmpty();
            assertThat(data.resolve("audit.topic")).doesNotExist();
            assertThat(data.resolve("audit-0")).doesNotExist();
            assertThat(deletedDirectories()).as("waiting for the held deleter").hasSize(2);

            log.createTopic("audit", TopicSpec.partitions(2)); // the name is free at once
            assertThat(log.describe("audit").partitions()).allMatch(p -> p.nextOffset() == 0);
            log.append("audit", b("k"), b("new"));
            log.deleteTopic("audit");
            assertThat(deletedDirectories()).hasSize(4);
        }
        assertThat(deletedDirectories())
                .as("closing the engine waited for the deletions")
                .isEmpty();
    }

    @Test
    void openingFinishesTopicDeletionsAStopCutShort() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("audit", TopicSpec.partitions(2));
            log.append("audit", b("k"), b("v"));
        }
        // What a stop right after deleteTopic leaves: no description, partitions renamed, not yet deleted.
        Files.delete(data.resolve("audit.topic"));
        String id = "0123456789abcdef0123456789abcdef";
        for (int p = 0; p < 2; p++) {
            Files.move(data.resolve("audit-" + p), data.resolve("audit-" + p + "." + id + ".deleted"));
        }
        Path foreign = Files.createDirectories(data.resolve("notes-0." + id + ".deleted")); // named alike, not ours
        Files.writeString(foreign.resolve("notes.txt"), "keep me");
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            assertThat(log.listTopics()).isEmpty();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> deletedDirectories().size() == 1);
        }
        assertThat(foreign.resolve("notes.txt"))
                .as("a directory that is no partition's is left alone")
                .hasContent("keep me");
    }

    private List<Path> deletedDirectories() throws IOException {
        try (Stream<Path> files = Files.list(data)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".deleted"))
                    .toList();
        }
    }

    @Test
    void keysLandOnKafkasPartitionAndKeepTheirOrder() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("ledger", TopicSpec.partitions(8));
            for (int i = 0; i < 50; i++) {
                String key = "ACC-" + (i % 5);
                Acknowledgement ack = log.append("ledger", b(key), b("op-" + i));
                assertThat(ack.partition()).isEqualTo((Murmur2.hash(b(key)) & 0x7fffffff) % 8);
            }
            int partition = (Murmur2.hash(b("ACC-3")) & 0x7fffffff) % 8;
            assertThat(log.read("ledger", partition, 0, 1 << 20).stream()
                            .filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals("ACC-3"))
                            .map(r -> new String(r.value(), StandardCharsets.UTF_8)))
                    .containsExactly(
                            "op-3", "op-8", "op-13", "op-18", "op-23", "op-28", "op-33", "op-38", "op-43", "op-48");
        }
    }

    @Test
    void badInputIsRefusedWithTheNameAndValue() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("t", TopicSpec.partitions(2));
            assertThatThrownBy(() -> log.createTopic("t", TopicSpec.partitions(1)))
                    .hasMessage("topic 't' already exists");
            assertThatThrownBy(() -> log.createTopic("no spaces", TopicSpec.partitions(1)))
                    .hasMessageContaining("was 'no spaces'");
            assertThatThrownBy(() -> log.append("missing", null, b("x")))
                    .hasMessageContaining("topic 'missing' does not exist");
            assertThatThrownBy(() -> log.read("t", 2, 0, 10))
                    .hasMessage("partition must be in [0, 2) for topic 't', was 2");
            assertThatThrownBy(() -> TopicSpec.partitions(0)).hasMessage("partitions must be in [1, 10000], was 0");
            assertThatThrownBy(() -> TopicSpec.parseFsync("sometimes")).hasMessageContaining("was 'sometimes'");
            assertThat(log.listTopics()).containsExactly("t");
        }
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            assertThatThrownBy(() -> EmbeddedLog.open(data)).hasMessageContaining("in use by another Ordo instance");
        }
    }

    /**
     * A topic whose description cannot be written (a full disk; here its temporary file's name is
     * taken by a directory) is not created at all: before, it was usable until the restart, when it
     * vanished with whatever had been appended to it.
     */
    @Test
    void aTopicIsCreatedWithItsDescriptionOrNotAtAll() throws Exception {
        Files.createDirectories(data.resolve("t.topic.tmp").resolve("in-the-way"));
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            assertThatThrownBy(() -> log.createTopic("t", TopicSpec.partitions(2)))
                    .isInstanceOf(IOException.class);
            assertThat(log.listTopics()).isEmpty();
            assertThatThrownBy(() -> log.append("t", null, b("x"))).hasMessageContaining("topic 't' does not exist");
            assertThat(Files.exists(data.resolve("t-0")))
                    .as("partition directory left behind")
                    .isFalse();
            Directories.deleteRecursively(data.resolve("t.topic.tmp"));
            log.createTopic("t", TopicSpec.partitions(2)); // once there is room
            log.append("t", null, b("x"));
        }
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            assertThat(log.listTopics()).containsExactly("t");
            assertThat(log.describe("t").partitions().stream()
                            .mapToLong(TopicDescription.PartitionState::nextOffset)
                            .sum())
                    .isEqualTo(1);
        }
    }

    /**
     * Partition directories without a topic description were left by a deletion cut short (the
     * description goes first): a new topic of that name starts empty instead of taking up their records.
     */
    @Test
    void aNewTopicDoesNotInheritTheRecordsOfADeletionCutShort() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic("t", TopicSpec.partitions(2));
            for (int i = 0; i < 10; i++) {
                log.append("t", b("k" + i), b("old-" + i));
            }
        }
        Files.delete(data.resolve("t.topic")); // as a crash inside deleteTopic leaves it
        Path mine = Files.createDirectories(data.resolve("t-2024")); // a name like a partition's, not one
        Files.writeString(mine.resolve("notes.txt"), "keep me");
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            assertThat(log.listTopics()).isEmpty();
            log.createTopic("t", TopicSpec.partitions(2));
            assertThat(log.describe("t").partitions()).allMatch(p -> p.nextOffset() == 0);
        }
        assertThat(mine.resolve("notes.txt"))
                .as("a directory that is no partition's is left alone")
                .hasContent("keep me");
    }
}
