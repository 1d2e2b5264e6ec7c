package dev.ordo.log.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.log.engine.PartitionCountChange.Step;
import dev.ordo.log.storage.Directories;
import dev.ordo.log.storage.Record;
import dev.ordo.partition.Placement;
import dev.ordo.partition.TopicLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Any sequence of grows and shrinks, and a crash at any step of any change: the data directory as it
 * is at that moment (copied then, as a kill -9 would leave it) opens with the layout history before
 * the change (a crash before the layout is recorded) or after it (from then on), never a mix, with
 * every record appended before the change at its offset, only the partitions that history has, and
 * new keys placed by its count.
 */
class PartitionChangeCrashProperties {

    @Property(tries = 60)
    void aCrashAtAnyStepOfAnyChangeLeavesTheOldHistoryOrTheNewOneAndEveryRecord(
            @ForAll @Size(min = 1, max = 5) List<@IntRange(min = 1, max = 20) Integer> counts,
            @ForAll @IntRange(min = 0, max = 4) int crashIn,
            @ForAll Step step,
            @ForAll long seed)
            throws IOException {
        Path root = Files.createTempDirectory("change-crash");
        Path crashed = Files.createTempDirectory("change-crashed");
        try {
            Random random = new Random(seed);
            List<TopicLayout.Layout> before = null;
            List<TopicLayout.Layout> after = null;
            long[] endsBefore = null;
            try (EmbeddedLog log = EmbeddedLog.open(root, false)) {
                log.createTopic("t", TopicSpec.partitions(4));
                int change = 0;
                for (int count : counts) {
                    for (int i = 0; i < 20; i++) {
                        byte[] key = ("k" + random.nextInt(50)).getBytes(StandardCharsets.UTF_8);
                        log.append("t", key, new byte[] {(byte) i});
                    }
                    if (count == log.layout("t").partitions()) {
                        continue;
                    }
                    boolean crashHere = change++ == Math.min(crashIn, counts.size() - 1);
                    log.onChangeSteps(s -> {
                        if (crashHere && s == step) {
                            copy(root, crashed);
                        }
                    });
                    if (crashHere) {
                        before = log.layout("t").layouts();
                        endsBefore = ends(log, "t");
                    }
                    log.alterPartitions("t", count);
                    if (crashHere) {
                        after = log.layout("t").layouts();
                    }
                }
            }
            if (before == null) {
                return; // every count was the current one: nothing changed, nothing to crash in
            }
            try (EmbeddedLog reopened = EmbeddedLog.open(crashed, false)) {
                TopicLayout layout = reopened.layout("t");
                assertThat(layout.layouts())
                        .as("a crash at %s", step)
                        .isEqualTo(step == Step.RECORDED ? after : before);
                assertThat(reopened.partitionCount("t"))
                        .as("partitions of a change cut short are gone")
                        .isEqualTo(layout.existing());
                for (int p = 0; p < endsBefore.length; p++) {
                    assertThat(reopened.endOffset("t", p)).isEqualTo(endsBefore[p]);
                    List<Record> records = reopened.read("t", p, 0, 1 << 20);
                    assertThat(records).hasSize((int) endsBefore[p]);
                }
                byte[] key = "a new key".getBytes(StandardCharsets.UTF_8);
                assertThat(reopened.append("t", key, new byte[1]).partition())
                        .isEqualTo(Placement.KAFKA.partitioner().partition(key, layout.partitions()));
            }
        } finally {
            Directories.deleteRecursively(root);
            Directories.deleteRecursively(crashed);
        }
    }

    private static long[] ends(EmbeddedLog log, String topic) {
        long[] ends = new long[log.partitionCount(topic)];
        for (int p = 0; p < ends.length; p++) {
            ends[p] = log.endOffset(topic, p);
        }
        return ends;
    }

    /** What a kill -9 now would leave on disk: every file as the page cache has it. */
    private static void copy(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else if (!file.getFileName().toString().endsWith(".lock")) {
                    Files.copy(file, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
