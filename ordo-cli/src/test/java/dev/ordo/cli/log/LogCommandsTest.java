package dev.ordo.cli.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.cli.Cli;
import dev.ordo.cli.Cli.Run;
import dev.ordo.cli.OrdoCommand;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives the embedded engine the way a shell script would: topics, produce, consume. */
class LogCommandsTest {

    @TempDir
    Path data;

    private static Run run(String stdin, String... args) {
        return Cli.run(stdin, args);
    }

    @Test
    void aScriptCanCreateProduceDescribeConsumeAndDelete() {
        String dir = data.toString();
        assertThat(run("", "topics", "create", "ledger", "--partitions", "3", "--fsync", "every-batch", "--data", dir)
                        .exit())
                .isZero();
        Run produce = run(
                "ACC-1\t+500\nACC-2\t-30\n{\"key\":\"ACC-1\",\"value\":\"-200\"}\n",
                "produce",
                "ledger",
                "--data",
                dir,
                "--print-acks");
        assertThat(produce.exit()).isZero();
        assertThat(produce.out().lines()).hasSize(3).allMatch(l -> l.matches("ledger\\t\\d\\t\\d+"));
        assertThat(run("", "topics", "list", "--data", dir).out()).isEqualTo("ledger" + System.lineSeparator());
        assertThat(run("", "topics", "describe", "ledger", "--data", dir).out())
                .contains("partitions 3  placement kafka  fsync every-batch");
        Run consume = run("", "consume", "ledger", "--from-beginning", "--data", dir);
        assertThat(consume.out().lines()).hasSize(3);
        assertThat(consume.out().lines().filter(l -> l.startsWith("ACC-1\t")).map(l -> l.split("\t")[3]))
                .containsExactly("+500", "-200");
        assertThat(run("", "consume", "ledger", "--from-beginning", "--max", "1", "--data", dir)
                        .out()
                        .lines())
                .hasSize(1);
        Run group = run("", "consume", "ledger", "--group", "audit", "--ordering", "KEY", "--data", dir);
        assertThat(group.out().lines()).hasSize(3);
        assertThat(run("", "consume", "ledger", "--group", "audit", "--data", dir)
                        .out())
                .as("all committed")
                .isEmpty();
        assertThat(run("", "consume", "ledger", "--group", "audit", "--max", "1", "--data", dir)
                        .exit())
                .isEqualTo(2);
        assertThat(run("", "topics", "delete", "ledger", "--data", dir).exit()).isZero();
        assertThat(run("", "topics", "list", "--data", dir).out()).isEmpty();
    }

    @Test
    void alterChangesThePartitionCountAndDescribeShowsTheLayoutHistory() {
        String dir = data.toString();
        run("", "topics", "create", "ledger", "--partitions", "2", "--placement", "jump", "--data", dir);
        run("ACC-1\t+500\nACC-2\t-30\n", "produce", "ledger", "--data", dir);

        Run alter = run("", "topics", "alter", "ledger", "--partitions", "3", "--data", dir);
        assertThat(alter.exit()).isZero();
        assertThat(alter.out()).isEqualTo("topic ledger now has 3 partitions (was 2)" + System.lineSeparator());
        assertThat(run("", "topics", "alter", "ledger", "--partitions", "1", "--data", dir)
                        .exit())
                .isZero();

        String described =
                run("", "topics", "describe", "ledger", "--data", dir).out();
        assertThat(described).contains("topic ledger  partitions 1  placement jump");
        assertThat(described).contains("partition 2  start offset 0  next offset 0  retired");
        assertThat(described).containsPattern("0: 2 partitions from offsets \\[0, 0\\]");
        assertThat(described).containsPattern("1: 3 partitions from offsets \\[\\d, \\d, 0\\]");
        assertThat(described).contains("2: 1 partitions from offsets");
        Run same = run("", "topics", "alter", "ledger", "--partitions", "1", "--data", dir);
        assertThat(same.exit()).isEqualTo(2);
        assertThat(same.err()).contains("the topic already has 1 partitions").doesNotContain("\tat ");
        Run badPlacement = run("", "topics", "create", "x", "--placement", "ring", "--data", dir);
        assertThat(badPlacement.exit()).isEqualTo(2);
        assertThat(badPlacement.err()).contains("placement must be 'kafka' or 'jump', was 'ring'");
    }

    @Test
    void alterChangesFsyncRetentionAndSegmentSizeKeptForTheNextOpen() {
        String dir = data.toString();
        run("", "topics", "create", "ledger", "--partitions", "2", "--retention-ms", "3600000", "--data", dir);
        run("ACC-1\t+500\nACC-2\t-30\n", "produce", "ledger", "--data", dir);

        Run alter = run(
                "",
                "topics",
                "alter",
                "ledger",
                "--fsync",
                "every-batch",
                "--segment-bytes",
                "8388608",
                "--retention-bytes",
                "1073741824",
                "--data",
                dir);
        assertThat(alter.exit()).as(alter.err()).isZero();
        assertThat(alter.out())
                .isEqualTo("topic ledger now has fsync every-batch, segment bytes 8388608, retention 1073741824 bytes,"
                        + " 3600000 ms (was fsync interval:100ms, segment bytes 1073741824, retention unlimited bytes,"
                        + " 3600000 ms)" + System.lineSeparator());

        String described =
                run("", "topics", "describe", "ledger", "--data", dir).out();
        assertThat(described).contains("fsync every-batch");
        assertThat(described).contains("segment bytes 8388608  retention 1073741824 bytes, 3600000 ms");
        assertThat(run("", "consume", "ledger", "--from-beginning", "--data", dir)
                        .out()
                        .lines())
                .as("the records are all there")
                .hasSize(2);
    }

    @Test
    void alterRefusesABadValueInOneLineNamingTheOptionAndChangesNothing() {
        String dir = data.toString();
        run("", "topics", "create", "ledger", "--data", dir);
        for (String[] bad : List.of(
                new String[] {
                    "--fsync", "sometimes", "--fsync must be every-batch, none or interval:<N>ms, was 'sometimes'"
                },
                new String[] {"--segment-bytes", "0", "--segment-bytes must be > 0, was 0"},
                new String[] {
                    "--segment-bytes", "100", "segmentBytes must be >= the topic's maxBatchBytes 1048576, was 100"
                },
                new String[] {"--retention-bytes", "0", "--retention-bytes must be > 0 or -1 (no limit), was 0"},
                new String[] {"--retention-ms", "-7", "--retention-ms must be > 0 or -1 (no limit), was -7"})) {
            Run alter = run("", "topics", "alter", "ledger", bad[0], bad[1], "--data", dir);
            assertThat(alter.exit()).as(bad[0]).isEqualTo(2);
            assertThat(alter.err()).contains(bad[2]).doesNotContain("\tat ");
            assertThat(alter.err().lines()).as(alter.err()).hasSize(1);
        }
        Run none = run("", "topics", "alter", "ledger", "--data", dir);
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("alter needs at least one of --partitions");
        assertThat(run("", "topics", "describe", "ledger", "--data", dir).out())
                .contains("fsync interval:100ms")
                .contains("segment bytes 1073741824  retention unlimited bytes, unlimited time");
    }

    @Test
    void pruneEmptiesRetiredPartitionsOnceEveryGroupHasReadThem() {
        String dir = data.toString();
        run("", "topics", "create", "ledger", "--partitions", "4", "--data", dir);
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            lines.append("ACC-").append(i).append("\t+1\n");
        }
        run(lines.toString(), "produce", "ledger", "--data", dir);
        run("", "topics", "alter", "ledger", "--partitions", "1", "--data", dir);

        assertThat(run("", "topics", "prune", "ledger", "--data", dir).out())
                .as("no group has read the topic yet: its records stay")
                .contains("no retired partition holds records every group has read");
        Run consume = run("", "consume", "ledger", "--group", "audit", "--data", dir);
        assertThat(consume.exit()).as(consume.err()).isZero();
        Run prune = run("", "topics", "prune", "ledger", "--data", dir);
        assertThat(prune.exit()).isZero();
        assertThat(prune.out()).startsWith("topic ledger: emptied retired partitions [1, 2, 3]");
        assertThat(run("", "topics", "describe", "ledger", "--data", dir).out())
                .containsPattern("partition 3  start offset (\\d+)  next offset \\1  retired");
    }

    @Test
    void describeNamesTheHeaviestKeysAndCreateTakesAutoScaleBounds() {
        String dir = data.toString();
        Run create =
                run("", "topics", "create", "ledger", "--partitions", "2", "--auto-scale", "2:8:500", "--data", dir);
        assertThat(create.exit()).isZero();
        run("ACC-7\t+1\nACC-7\t+2\nACC-7\t+3\nACC-1\t+4\nACC-2\t+5\n", "produce", "ledger", "--data", dir);

        Run described = run("", "topics", "describe", "ledger", "--hot-keys", "1", "--data", dir);
        assertThat(described.exit()).isZero();
        assertThat(described.out())
                .contains("hot keys (of the last 5 records read):")
                .contains("ACC-7  3 records");
        Run bad = run("", "topics", "create", "x", "--auto-scale", "2:many:5", "--data", dir);
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("--auto-scale must be MIN:MAX:TARGET, was '2:many:5'");
        Run outside = run("", "topics", "create", "y", "--auto-scale", "2:8:5", "--data", dir);
        assertThat(outside.err()).contains("partitions must be within autoScale's [2, 8], was 1");
    }

    @Test
    void mistakesExitWithTwoAndSayWhatIsWrong() {
        String dir = data.toString();
        Run missing = run("x\n", "produce", "nope", "--data", dir);
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("topic 'nope' does not exist");
        Run badFsync = run("", "topics", "create", "t", "--fsync", "often", "--data", dir);
        assertThat(badFsync.exit()).isEqualTo(2);
        assertThat(badFsync.err()).contains("fsync must be every-batch, none or interval:<N>ms, was 'often'");
        run("", "topics", "create", "t", "--data", dir);
        Run badJson = run("{not json\n", "produce", "t", "--data", dir);
        assertThat(badJson.exit()).isEqualTo(2);
        assertThat(badJson.err()).contains("line 1 starts with '{' but is not a JSON object");
    }

    @Test
    void aTopicCreatedWithRetentionKeepsOnlyItsNewestSegments() {
        String dir = data.toString();
        assertThat(run(
                                "",
                                "topics",
                                "create",
                                "events",
                                "--segment-bytes",
                                "1024",
                                "--retention-bytes",
                                "2048",
                                "--data",
                                dir)
                        .exit())
                .isZero();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            lines.append("k\tevent-").append(i).append('\n');
        }
        assertThat(run(lines.toString(), "produce", "events", "--data", dir).exit())
                .isZero();
        List<String> kept = run("", "consume", "events", "--from-beginning", "--data", dir)
                .out()
                .lines()
                .toList();
        assertThat(kept).hasSizeBetween(10, 199);
        assertThat(kept.get(kept.size() - 1)).endsWith("event-199");
        Run bad = run("", "topics", "create", "t2", "--retention-bytes", "0", "--data", dir);
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("retention maxBytes must be > 0 or -1 (unlimited), was 0");
    }

    @Test
    void theCorruptionPolicyIsChosenAtCreationAndKeptWithTheTopic() throws Exception {
        String dir = data.toString();
        assertThat(run("", "topics", "create", "audit", "--on-corruption", "skip", "--data", dir)
                        .exit())
                .isZero();
        assertThat(run("", "topics", "create", "ledger", "--data", dir).exit()).isZero();
        assertThat(Files.readString(data.resolve("audit.topic"))).contains("\"onCorruption\" : \"skip\"");
        assertThat(Files.readString(data.resolve("ledger.topic"))).contains("\"onCorruption\" : \"stop\"");
        Run bad = run("", "topics", "create", "t3", "--on-corruption", "ignore", "--data", dir);
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("--on-corruption").contains("ignore");
    }

    /**
     * As a script sees it: each command a JVM of its own (with the logging configuration the jar
     * ships), standard output nothing but the command's lines. An XML comment that logback could not
     * parse once made every command print logback's status report on standard output.
     */
    @Test
    void aSeparateProcessPrintsOnlyItsResultsOnStandardOutput() throws Exception {
        String dir = data.toString();
        assertThat(runProcess("", "topics", "create", "orders", "--partitions", "1", "--data", dir))
                .containsExactly("created topic orders with 1 partition");
        assertThat(runProcess("k1\tv1\nk2\tv2\n", "produce", "orders", "--print-acks", "--data", dir))
                .containsExactly("orders\t0\t0", "orders\t0\t1");
        assertThat(runProcess("", "consume", "orders", "--from-beginning", "--max", "2", "--data", dir))
                .containsExactly("k1\t0\t0\tv1", "k2\t0\t1\tv2");
    }

    /** Runs {@code ordo args} in a child JVM; returns its standard output's lines (it must exit with 0). */
    private static List<String> runProcess(String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                OrdoCommand.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
                .as("ordo " + String.join(" ", args) + " ended")
                .isTrue();
        assertThat(process.exitValue())
                .as("exit code of ordo " + String.join(" ", args))
                .isZero();
        return out.lines().toList();
    }
}
