package dev.ordo.log.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.engine.Serdes;
import dev.ordo.log.consumer.OrdoConsumer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A shrink retires partitions; their records are deleted once every consumer group of the topic has read
 * past them (the engine looks every {@value LoadWatch#RETIRED_LOOK_SECONDS} s, ticked by hand here), and
 * not while one may still need them. Their offsets go on when the topic grows again.
 */
class RetiredPartitionCleanerTest {

    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path data;

    private long now = SECOND;

    @Test
    void retiredRecordsAreDeletedOnlyOnceEveryGroupHasReadThemAndAGrowGoesOnAfterThem() throws Exception {
        long[] ends = new long[4];
        try (EmbeddedLog log = EmbeddedLog.open(data, false)) {
            log.createTopic("t", TopicSpec.partitions(4).segmentBytes(1_024));
            append(log, "t", 0, 400);
            log.alterPartitions("t", 2);
            for (int p = 0; p < 4; p++) {
                ends[p] = log.endOffset("t", p);
                assertThat(ends[p]).as("records on partition %d", p).isPositive();
            }
            // "first" reads on (a member now), "second" has stopped (its file only), behind on 2 and 3.
            GroupCoordinator.Member first = log.groups().join("first", "t", 4, false);
            first.group().offsets().commit(Map.of(0, ends[0], 1, ends[1], 2, ends[2], 3, ends[3]));
            commitAndLeave(log, "second", Map.of(2, ends[2] - 1, 3, 5L));
            // A group that has not committed yet stands at 0.
            GroupCoordinator.Member third = log.groups().join("third", "t", 4, false);

            ticks(log, LoadWatch.RETIRED_LOOK_SECONDS);
            assertThat(log.deleteDrainedRetired("t")).isEmpty();
            log.leaveGroup(third); // gone without a commit: nothing it needs
            assertThat(log.deleteDrainedRetired("t")).as("second is behind").isEmpty();
            assertThat(log.startOffset("t", 2)).isZero();
            assertThat(log.startOffset("t", 3)).isZero();

            commitAndLeave(log, "second", Map.of(2, ends[2], 3, ends[3]));
            long bytesBefore = logBytes("t-2") + logBytes("t-3");
            ticks(log, LoadWatch.RETIRED_LOOK_SECONDS - 1);
            assertThat(log.startOffset("t", 2)).as("not looked at every second").isZero();
            ticks(log, 1);
            for (int p = 2; p < 4; p++) {
                assertThat(log.startOffset("t", p)).isEqualTo(ends[p]);
                assertThat(log.endOffset("t", p)).isEqualTo(ends[p]);
                assertThat(log.describe("t").partitions().get(p).startOffset()).isEqualTo(ends[p]);
            }
            for (int p = 0; p < 2; p++) {
                assertThat(log.startOffset("t", p))
                        .as("current partition %d untouched", p)
                        .isZero();
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> logBytes("t-2") + logBytes("t-3") == 0 && bytesBefore > 0);
            assertThat(log.deleteDrainedRetired("t")).as("nothing left").isEmpty();
            log.leaveGroup(first);
        }

        try (EmbeddedLog log = EmbeddedLog.open(data, false)) {
            assertThat(log.startOffset("t", 3)).as("after a reopen").isEqualTo(ends[3]);
            log.alterPartitions("t", 4);
            for (int p = 2; p < 4; p++) {
                assertThat(log.layout("t").layouts().get(2).start(p)).isEqualTo(ends[p]);
            }
            append(log, "t", 400, 800);
            long current = 0;
            for (int p = 0; p < 4; p++) {
                current += log.endOffset("t", p) - log.startOffset("t", p);
                assertThat(log.endOffset("t", p))
                        .as("partition %d receives again", p)
                        .isGreaterThan(ends[p]);
            }
            try (Captured fetcher = Captured.from(OrdoConsumer.class.getName())) {
                List<String> read = new CopyOnWriteArrayList<>();
                try (RecordConsumer consumer = OrdoConsumer.builder(log, "t", Serdes.string(), Serdes.string())
                        .group("newcomer")
                        .handler(r -> read.add(r.partition() + "@" + r.offset()))
                        .start()) {
                    assertThat(consumer.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
                }
                assertThat(read).hasSize((int) current);
                assertThat(read).contains("2@" + ends[2], "3@" + ends[3]);
                assertThat(fetcher.at(Level.WARN)).as("nothing was lost unread").isEmpty();
                assertThat(fetcher.at(Level.INFO)).anyMatch(line -> line.contains("of a retired partition"));
            }
        }
    }

    @Test
    void aGroupFileThatDoesNotNameItsTopicKeepsTheRecords() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data, false)) {
            long[] ends = shrunk(log);
            commitAndLeave(log, "reader", Map.of(2, ends[2], 3, ends[3]));
            Path old = data.resolve("groups").resolve("old.t.offsets");
            // Written before files named their group and topic; its offsets say "passed", but whose are they?
            Files.writeString(old, "{\"2\":" + ends[2] + ",\"3\":" + ends[3] + "}");
            assertThat(log.deleteDrainedRetired("t")).isEmpty();
            Files.delete(old);
            assertThat(log.deleteDrainedRetired("t")).containsExactly(2, 3);
        }
    }

    @Test
    void aGroupThatKeepsItsOffsetsInAnApplicationStateKeepsTheRecordsAlsoWhenStopped() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data, false)) {
            long[] ends = shrunk(log);
            commitAndLeave(log, "reader", Map.of(2, ends[2], 3, ends[3]));
            log.leaveGroup(log.groups().join("stateful", "t", 4, true));
            assertThat(log.deleteDrainedRetired("t")).isEmpty();
        }
        try (EmbeddedLog log = EmbeddedLog.open(data, false)) {
            assertThat(log.deleteDrainedRetired("t")).as("after a restart too").isEmpty();
        }
    }

    @Test
    void aTopicNoGroupHasReadKeepsItsRetiredRecords() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data, false)) {
            shrunk(log);
            ticks(log, LoadWatch.RETIRED_LOOK_SECONDS);
            assertThat(log.startOffset("t", 2)).isZero();
            assertThat(log.deleteDrainedRetired("t")).isEmpty();
        }
    }

    /**
     * Group "a.b" on topic "c" and group "a" on topic "b.c" have the same plain file name; each keeps its
     * own offsets, whichever comes first, also across restarts.
     */
    @Test
    void groupsWhoseFileNamesCollideKeepTheirOwnOffsets() throws Exception {
        try (EmbeddedLog log = EmbeddedLog.open(data, false)) {
            log.createTopic("c", TopicSpec.partitions(1));
            log.createTopic("b.c", TopicSpec.partitions(1));
            commitAndLeave(log, "a.b", "c", Map.of(0, 7L));
        }
        try (EmbeddedLog log = EmbeddedLog.open(data, false)) {
            // The other pair first: the plain name's file is not its own.
            assertThat(committed(log, "a", "b.c")).isZero();
            commitAndLeave(log, "a", "b.c", Map.of(0, 3L));
            assertThat(committed(log, "a.b", "c")).isEqualTo(7);
        }
        try (EmbeddedLog log = EmbeddedLog.open(data, false)) {
            assertThat(committed(log, "a", "b.c")).isEqualTo(3);
            assertThat(committed(log, "a.b", "c")).isEqualTo(7);
        }
        // Neither has a file yet: the second to join in one engine takes the other name.
        try (EmbeddedLog log = EmbeddedLog.open(data, false)) {
            log.createTopic("z", TopicSpec.partitions(1));
            log.createTopic("y.z", TopicSpec.partitions(1));
            GroupCoordinator.Member one = log.groups().join("x.y", "z", 1, false);
            GroupCoordinator.Member other = log.groups().join("x", "y.z", 1, false);
            one.group().offsets().commit(Map.of(0, 1L));
            other.group().offsets().commit(Map.of(0, 2L));
            assertThat(one.group().offsets().file())
                    .isNotEqualTo(other.group().offsets().file());
            log.leaveGroup(one);
            log.leaveGroup(other);
        }
        try (EmbeddedLog log = EmbeddedLog.open(data, false)) {
            assertThat(committed(log, "x", "y.z")).isEqualTo(2);
            assertThat(committed(log, "x.y", "z")).isEqualTo(1);
        }
    }

    /** A file under a pair's name that holds another pair's offsets (copied by hand, say) is refused. */
    @Test
    void aFileHoldingAnotherPairsOffsetsIsRefusedNamingBoth() throws Exception {
        Path file;
        try (EmbeddedLog log = EmbeddedLog.open(data, false)) {
            log.createTopic("c", TopicSpec.partitions(1));
            log.createTopic("b.c", TopicSpec.partitions(1));
            commitAndLeave(log, "a", "b.c", Map.of(0, 1L));
            GroupCoordinator.Member member = log.groups().join("a.b", "c", 1, false); // takes the other name
            member.group().offsets().commit(Map.of(0, 2L));
            file = member.group().offsets().file();
            log.leaveGroup(member);
        }
        Files.writeString(file, "{\"group\":\"h\",\"topic\":\"u\",\"offsets\":{\"0\":9}}");
        try (EmbeddedLog log = EmbeddedLog.open(data, false)) {
            assertThatThrownBy(() -> log.groups().join("a.b", "c", 1, false))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("group 'h' on topic 'u'")
                    .hasMessageContaining("not of group 'a.b' on topic 'c'");
        }
    }

    /** Topic "t" with records on its 4 partitions, shrunk to 2; returns each partition's end. */
    private long[] shrunk(EmbeddedLog log) throws IOException {
        log.createTopic("t", TopicSpec.partitions(4));
        append(log, "t", 0, 200);
        log.alterPartitions("t", 2);
        long[] ends = new long[4];
        for (int p = 0; p < 4; p++) {
            ends[p] = log.endOffset("t", p);
        }
        assertThat(ends[2]).isPositive();
        assertThat(ends[3]).isPositive();
        return ends;
    }

    private static void append(EmbeddedLog log, String topic, int from, int to) throws IOException {
        for (int i = from; i < to; i++) {
            log.append(topic, utf8("key-" + i), utf8("value-" + i));
        }
    }

    private static void commitAndLeave(EmbeddedLog log, String group, Map<Integer, Long> offsets) throws IOException {
        commitAndLeave(log, group, "t", offsets);
    }

    private static void commitAndLeave(EmbeddedLog log, String group, String topic, Map<Integer, Long> offsets)
            throws IOException {
        GroupCoordinator.Member member = log.groups().join(group, topic, log.partitionCount(topic), false);
        member.group().offsets().commit(new HashMap<>(offsets));
        log.leaveGroup(member);
    }

    private static long committed(EmbeddedLog log, String group, String topic) throws IOException {
        GroupCoordinator.Member member = log.groups().join(group, topic, 1, false);
        log.leaveGroup(member);
        return member.group().offsets().get(0);
    }

    private void ticks(EmbeddedLog log, int count) {
        for (int i = 0; i < count; i++) {
            log.loadWatch().tick(now += SECOND);
        }
    }

    /** Bytes of a partition's segment logs, those waiting for deletion too. */
    private long logBytes(String partitionDirectory) throws IOException {
        try (Stream<Path> files = Files.list(data.resolve(partitionDirectory))) {
            long total = 0;
            for (Path file : files.filter(f -> f.toString().contains(".log")).toList()) {
                total += Files.size(file);
            }
            return total;
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The lines a logger writes while open, at INFO and above. */
    private static final class Captured implements AutoCloseable {
        private final Logger logger;
        private final Level level;
        private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

        private Captured(String name) {
            logger = (Logger) LoggerFactory.getLogger(name);
            level = logger.getLevel();
            logger.setLevel(Level.INFO);
            lines.start();
            logger.addAppender(lines);
        }

        static Captured from(String name) {
            return new Captured(name);
        }

        List<String> at(Level at) {
            return lines.list.stream()
                    .filter(e -> e.getLevel() == at)
                    .map(ILoggingEvent::getFormattedMessage)
                    .toList();
        }

        @Override
        public void close() {
            logger.detachAppender(lines);
            logger.setLevel(level);
        }
    }
}
