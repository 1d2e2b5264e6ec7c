package dev.ordo.log.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.log.storage.FsyncPolicy;
import dev.ordo.log.storage.LogConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's life (open, close) and the largest names it takes. */
class EmbeddedLogLifecycleTest {

    @TempDir
    Path data;

    @Test
    void closingTwiceIsHarmlessAndEveryCallAfterCloseSaysTheLogIsClosed() throws Exception {
        EmbeddedLog log = EmbeddedLog.open(data);
        log.createTopic("t", TopicSpec.partitions(1));
        log.append("t", null, new byte[1]);
        log.close();
        log.close();
        String closed = "the log at " + data + " is closed";
        List<ThrowingCallable> calls = List.of(
                () -> log.createTopic("u", TopicSpec.partitions(1)),
                () -> log.append("t", null, new byte[1]),
                () -> log.read("t", 0, 0, 1024),
                () -> log.describe("t"),
                log::listTopics,
                () -> log.deleteTopic("t"),
                () -> log.partitionCount("t"),
                () -> log.startOffset("t", 0),
                () -> log.endOffset("t", 0),
                () -> log.offsetForTime("t", 0, 0),
                () -> log.offlineCause("t", 0),
                () -> log.bindTo(new SimpleMeterRegistry()));
        for (ThrowingCallable call : calls) {
            assertThatThrownBy(call).isInstanceOf(IllegalStateException.class).hasMessage(closed);
        }
        try (EmbeddedLog reopened = EmbeddedLog.open(data)) {
            assertThat(reopened.listTopics()).as("nothing changed after close").containsExactly("t");
            assertThat(reopened.endOffset("t", 0)).isEqualTo(1);
        }
    }

    @Test
    void theEnginesBackgroundThreadsStartWithItAndEndWithIt() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        Set<Thread> started;
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic(
                    "timed",
                    TopicSpec.partitions(2)
                            .segmentBytes(1_024)
                            .fsync(FsyncPolicy.interval(Duration.ofMillis(5)))
                            .retention(LogConfig.Retention.bytes(2_048)));
            for (int i = 0; i < 200; i++) { // rolls (sealed segments forced), retention (deletions), ticks
                log.append("timed", ("k" + i).getBytes(StandardCharsets.UTF_8), new byte[20]);
            }
            log.deleteTopic("timed");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> engineThreads(before).size() >= 3);
            started = engineThreads(before);
        }
        for (Thread thread : started) {
            thread.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(thread.isAlive()).as("%s after close", thread.getName()).isFalse();
        }
    }

    /** The engine's threads started since {@code before}. */
    private static Set<Thread> engineThreads(Set<Thread> before) {
        Set<Thread> threads = new HashSet<>(Thread.getAllStackTraces().keySet());
        threads.removeAll(before);
        threads.removeIf(t -> !t.getName().startsWith("ordo-log-"));
        return threads;
    }

    @Test
    void openingAFileSaysItIsNotADirectory() throws Exception {
        Path file = Files.writeString(data.resolve("file"), "x");
        assertThatThrownBy(() -> EmbeddedLog.open(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("root must be a directory, was " + file + " (not a directory)");
    }

    @Test
    void aTopicNameOfTheLongest249CharactersIsCreatedWrittenDeletedAndCreatedAgain() throws Exception {
        String name = "t".repeat(248) + "x";
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            log.createTopic(name, TopicSpec.partitions(3));
            log.append(name, "k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
        }
        try (EmbeddedLog log = EmbeddedLog.open(data)) {
            assertThat(log.listTopics()).containsExactly(name);
            assertThat(log.describe(name).partitions().stream()
                            .mapToLong(p -> p.nextOffset())
                            .sum())
                    .isEqualTo(1);
            log.deleteTopic(name);
            log.createTopic(name, TopicSpec.partitions(1));
        }
        try (Stream<Path> files = Files.list(data)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .allSatisfy(f -> assertThat(f.length()).isLessThanOrEqualTo(255))
                    .contains(name + ".topic", name + "-0")
                    .doesNotContain(name + "-1", name + "-2");
        }
        assertThat(PartitionDirectories.deletedName(name, TopicSpec.MAX_PARTITIONS - 1, "0".repeat(32)))
                .hasSize(255)
                .endsWith("-9999." + "0".repeat(32) + ".deleted");
    }
}
